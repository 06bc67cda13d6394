/* The PC's CMOS real-time clock (MC146818-compatible), read once at boot
 * for the wall clock. Registers are read through the index/data ports
 * 0x70/0x71; the values may be BCD or binary and the hour 12- or 24-hour,
 * as status register B says. A read can straddle the chip's once-a-second
 * update, so the time is read until two passes agree. */
#include <umka/time.h>

#include "x86.h"

enum {
	CMOS_INDEX = 0x70,
	CMOS_DATA = 0x71,
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04,
	RTC_DAY = 0x07, RTC_MONTH = 0x08, RTC_YEAR = 0x09,
	RTC_STATUS_A = 0x0a, RTC_STATUS_B = 0x0b,
	RTC_CENTURY = 0x32,	/* the register ACPI's FADT names on PCs and QEMU */
	STATUS_A_UIP = 0x80,	/* update in progress: registers unstable */
	STATUS_B_24H = 0x02,
	STATUS_B_BINARY = 0x04,
	HOUR_PM = 0x80,		/* 12-hour mode */
	RTC_TRIES = 8,
	UIP_SPIN = 1000000,
};

struct rtc_time {
	u8 sec, min, hour, day, month, year, century;
};

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void rtc_read_raw(struct rtc_time *t)
{
	for (unsigned i = 0; i < UIP_SPIN && (cmos_read(RTC_STATUS_A) & STATUS_A_UIP); i++)
		;
	t->sec = cmos_read(RTC_SEC);
	t->min = cmos_read(RTC_MIN);
	t->hour = cmos_read(RTC_HOUR);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	t->century = cmos_read(RTC_CENTURY);
}

static unsigned bcd(u8 v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

u64 x86_rtc_read_ns(void)
{
	struct rtc_time a, b;
	unsigned hour, century;
	bool pm;
	u8 st;
	s64 secs;

	rtc_read_raw(&a);
	for (unsigned i = 0; i < RTC_TRIES; i++) {
		rtc_read_raw(&b);
		if (!__builtin_memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}
	st = cmos_read(RTC_STATUS_B);
	pm = !(st & STATUS_B_24H) && (a.hour & HOUR_PM);
	a.hour &= (u8)~HOUR_PM;
	if (!(st & STATUS_B_BINARY)) {
		a.sec = (u8)bcd(a.sec);
		a.min = (u8)bcd(a.min);
		a.hour = (u8)bcd(a.hour);
		a.day = (u8)bcd(a.day);
		a.month = (u8)bcd(a.month);
		a.year = (u8)bcd(a.year);
		a.century = (u8)bcd(a.century);
	}
	hour = a.hour;
	if (!(st & STATUS_B_24H))
		hour = hour % 12 + (pm ? 12 : 0);
	/* A chip without a century register reads 0 or garbage there. */
	century = a.century >= 19 && a.century <= 99 ? a.century : 20;
	secs = clock_civil_to_unix(century * 100 + a.year, a.month, a.day, hour, a.min, a.sec);
	return secs < 0 ? 0 : (u64)secs * NSEC_PER_SEC;
}
