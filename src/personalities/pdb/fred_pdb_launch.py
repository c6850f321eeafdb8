# What fred runs: fred's pdb (fred_pdb.py) imported as the module `fred_pdb`, so that Python loads
# it from the bytecode `npm run build:python` compiled (a script run as __main__ is compiled anew
# every time), and so that pdb, which gives __main__'s namespace to the program, leaves it alone.
# Arguments as fred_pdb.py's.

import fred_pdb

fred_pdb.main()
