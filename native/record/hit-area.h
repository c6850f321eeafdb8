/* An area near the program's code for a debugger's hit counters (hit-area.c). */
#ifndef FRED_HIT_AREA_H
#define FRED_HIT_AREA_H

#define FRED_HIT_AREA_SIZE (16 * 4096)

/* Reserves it (fred_hit_area stays 0 if no place near the program is free). */
void fred_reserve_hit_area(void);

#endif
