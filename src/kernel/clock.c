/* The wall clock. Only the offset from the monotonic clock is stored: the
 * machine reads its real-time clock once during setup (boot_info), and
 * every later reading is monotonic time plus the offset, so wall time costs
 * no more than arch_clock_ns() and needs no periodic update. Stepping the
 * clock changes the offset only; monotonic time is never touched. */
#include <umka/atomic.h>
#include <umka/time.h>

/* Written rarely (boot, settimeofday), read everywhere: one atomic word. */
static u64 real_offset_ns;

u64 ktime_get_real_ns(void)
{
	return ktime_get_ns() + __atomic_load_n(&real_offset_ns, __ATOMIC_RELAXED);
}

void clock_set_real_ns(u64 real_ns)
{
	/* Unsigned wrap-around keeps this right even if real_ns is below the
	 * monotonic reading (no RTC, or a clock set to 1970). */
	__atomic_store_n(&real_offset_ns, real_ns - ktime_get_ns(), __ATOMIC_RELAXED);
}

/* Days from 1970-01-01 to year-month-day, counting in years that start on
 * March 1 so that the leap day falls at the end of one. */
static s64 days_from_civil(s64 y, unsigned m, unsigned d)
{
	s64 era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);			/* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* 0..146096 */
	return era * 146097 + (s64)doe - 719468;		/* 719468: 0000-03-01 to 1970 */
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

s64 clock_civil_to_unix(unsigned year, unsigned month, unsigned day,
			unsigned hour, unsigned min, unsigned sec)
{
	static const u8 mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned last;

	if (year < 1970 || year > 9999 || month < 1 || month > 12 || hour > 23 || min > 59 ||
	    sec > 60)
		return -1;
	last = mdays[month - 1] + (month == 2 && is_leap(year));
	if (day < 1 || day > last)
		return -1;
	return days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}
