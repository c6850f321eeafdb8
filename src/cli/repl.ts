// The interactive line-mode front end: `(fred) ` prompt, line editing and history (readline),
// program output shown as it arrives. While a command runs, typed lines go to the program.

import { createInterface, type Interface } from 'node:readline';
import { CommandInterpreter } from '../commands/interpreter.js';
import type { Session } from '../session/session.js';
import { settleProgramOutput } from './program-output.js';
import { HistoryFile, HISTORY_LIMIT } from './history-file.js';

const PROMPT = '(fred) ';

export async function runRepl(session: Session): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  const history = new HistoryFile();
  const readline = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: PROMPT,
    terminal: interactive,
    // readline wants the newest command first.
    history: interactive ? history.load().reverse() : [],
    historySize: HISTORY_LIMIT,
  });
  const interpreter = new CommandInterpreter(session);
  let busy = false;
  let lastCommand = '';

  session.onProgramOutput((text) => {
    if (!busy && interactive) {
      // Keep the prompt and what the user is typing below the program's output.
      process.stdout.write(`\r\x1b[K${text}`);
      readline.prompt(true);
    } else {
      process.stdout.write(text);
    }
  });

  if (session.launchOutcome.output) process.stdout.write(ensureNewline(session.launchOutcome.output));

  readline.on('SIGINT', () => {
    if (busy) session.interrupt();
    else {
      process.stdout.write('^C\n');
      readline.prompt();
    }
  });

  return new Promise<number>((resolve) => {
    // Interactive: a line typed while a command runs goes to the program. Piped: lines wait their
    // turn in a queue (readline emits every line of a chunk at once, paused or not).
    const queue: string[] = [];
    let draining = false;
    let inputClosed = false;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      readline.close();
      resolve(0);
    };
    readline.on('close', () => {
      inputClosed = true;
      if (!draining) end();
    });
    readline.on('line', (line) => {
      if (busy && interactive) {
        session.sendProgramInput(`${line}\n`);
        return;
      }
      queue.push(line);
      if (!draining) void drain();
    });
    const drain = async () => {
      draining = true;
      while (queue.length > 0 && !ended) {
        const line = queue.shift()!;
        // As in gdb, an empty line repeats the last command.
        const command = line.trim() === '' && interactive ? lastCommand : line;
        if (command.trim() === '') {
          readline.prompt();
          continue;
        }
        lastCommand = command;
        if (interactive) history.remember(line);
        busy = true;
        const result = await interpreter.execute(command);
        await settleProgramOutput(session, 20, 200, 20);
        busy = false;
        if (result.output) process.stdout.write(ensureNewline(result.output));
        if (result.error !== undefined) process.stdout.write(`fred: ${result.error}\n`);
        if (result.quit) {
          end();
          break;
        }
        if (!inputClosed) readline.prompt();
      }
      draining = false;
      if (inputClosed) end();
    };
    readline.prompt();
  });
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
