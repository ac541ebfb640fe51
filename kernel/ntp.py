"""kernel/ntp.py - the NTP state adjtimex(2) reads and writes (Linux's
kernel/time/ntp.c), and the leap second it schedules.

The state is Linux's: status bits, frequency, offset, maximum and
estimated error, time constant, tick length, with Linux's clamping and
units (ADJ_NANO/ADJ_MICRO).  pyuml's clock runs at the host's rate: the
frequency, offset and tick are kept and reported, not slewed in.

The leap second is real: with STA_INS (STA_DEL) set, the second after
23:59:59 UTC is repeated (skipped) and the TAI offset moves, as Linux's
second_overflow does at each second.  There is no tick here: the kernel
runs second_overflow for the seconds gone by whenever the wall clock is
read (timekeeping.ktime_get_real_ns).
"""

from kernel.errno import EINVAL, EPERM
from kernel.printk import pr_notice

ADJ_OFFSET = 0x0001
ADJ_FREQUENCY = 0x0002
ADJ_MAXERROR = 0x0004
ADJ_ESTERROR = 0x0008
ADJ_STATUS = 0x0010
ADJ_TIMECONST = 0x0020
ADJ_TAI = 0x0080
ADJ_SETOFFSET = 0x0100
ADJ_MICRO = 0x1000
ADJ_NANO = 0x2000
ADJ_TICK = 0x4000
ADJ_ADJTIME = 0x8000            # adjtime(3)'s single shot, with one of:
ADJ_OFFSET_SINGLESHOT = 0x0001  # set its offset
ADJ_OFFSET_READONLY = 0x2000    # read it

STA_PLL = 0x0001
STA_PPSFREQ = 0x0002
STA_PPSTIME = 0x0004
STA_FLL = 0x0008
STA_INS = 0x0010
STA_DEL = 0x0020
STA_UNSYNC = 0x0040
STA_FREQHOLD = 0x0080
STA_PPSSIGNAL = 0x0100
STA_PPSJITTER = 0x0200
STA_PPSWANDER = 0x0400
STA_PPSERROR = 0x0800
STA_CLOCKERR = 0x1000
STA_NANO = 0x2000
STA_MODE = 0x4000
STA_CLK = 0x8000
STA_RONLY = (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR |
             STA_CLOCKERR | STA_NANO | STA_MODE | STA_CLK)

TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT, TIME_ERROR = range(6)

USER_HZ = 100
NTP_INTERVAL_FREQ = 100         # the kernel's HZ
NSEC_PER_USEC = 1000
USEC_PER_SEC = 10**6
NSEC_PER_SEC = 10**9
SECS_PER_DAY = 86400
NTP_SCALE_SHIFT = 32
SHIFT_USEC = 16
SHIFT_PLL = 2
SHIFT_FLL = 2
MAXPHASE = 500000000            # ns
MAXFREQ = 500000                # ns/s
MAXFREQ_SCALED = MAXFREQ << NTP_SCALE_SHIFT
MINSEC = 256
MAXSEC = 2048
MAXTC = 10
MAX_TAI_OFFSET = 100000
NTP_PHASE_LIMIT = (MAXPHASE // NSEC_PER_USEC) << 5
PPM_SCALE = NSEC_PER_USEC << (NTP_SCALE_SHIFT - SHIFT_USEC)
PPM_SCALE_INV_SHIFT = 19
PPM_SCALE_INV = (1 << (PPM_SCALE_INV_SHIFT + NTP_SCALE_SHIFT)) // PPM_SCALE + 1
TICK_USEC = (USEC_PER_SEC + USER_HZ // 2) // USER_HZ
TIME64_MAX = (1 << 63) - 1
LLONG_MAX = (1 << 63) - 1


class NtpData:
    def __init__(self):
        self.tick_usec = TICK_USEC
        self.time_state = TIME_OK
        self.time_status = STA_UNSYNC
        self.time_offset = 0        # ns << NTP_SCALE_SHIFT, per tick
        self.time_constant = 2
        self.time_maxerror = NTP_PHASE_LIMIT
        self.time_esterror = NTP_PHASE_LIMIT
        self.time_freq = 0          # ns/s << NTP_SCALE_SHIFT
        self.time_reftime = 0
        self.time_adjust = 0        # adjtime(3)'s offset, us
        self.next_leap_sec = TIME64_MAX
        self.last_sec = None        # the last second second_overflow ran for


ntp = NtpData()


def _shift_right(x, s):
    """Linux's shift_right: an arithmetic shift that rounds towards zero."""
    return -(-x >> s) if x < 0 else x >> s


def _clamp(x, lo, hi):
    return max(lo, min(x, hi))


def _div(a, b):
    """C's division: towards zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def is_error_status(status):
    return bool(status & (STA_UNSYNC | STA_CLOCKERR)
                or (status & (STA_PPSFREQ | STA_PPSTIME) and not status & STA_PPSSIGNAL)
                or (status & (STA_PPSTIME | STA_PPSJITTER)) == (STA_PPSTIME | STA_PPSJITTER)
                or (status & STA_PPSFREQ and status & (STA_PPSWANDER | STA_PPSERROR)))


# -- the leap second -------------------------------------------------------------------

def leap_pending():
    """Whether second_overflow has anything to do: the cheap test made at
    every read of the wall clock."""
    return ntp.time_state != TIME_OK or ntp.time_status & (STA_INS | STA_DEL)


def second_overflow(secs):
    """The state machine run as second secs begins: the leap to apply
    (-1: this second again, +1: skip it, 0)."""
    leap = 0
    state, status = ntp.time_state, ntp.time_status
    if state == TIME_OK:
        if status & STA_INS:
            ntp.time_state = TIME_INS
            ntp.next_leap_sec = secs + SECS_PER_DAY - secs % SECS_PER_DAY
        elif status & STA_DEL:
            ntp.time_state = TIME_DEL
            ntp.next_leap_sec = secs + SECS_PER_DAY - (secs + 1) % SECS_PER_DAY
    elif state == TIME_INS:
        if not status & STA_INS:
            ntp.next_leap_sec = TIME64_MAX
            ntp.time_state = TIME_OK
        elif secs == ntp.next_leap_sec:
            leap = -1
            ntp.time_state = TIME_OOP
            pr_notice("Clock: inserting leap second 23:59:60 UTC")
    elif state == TIME_DEL:
        if not status & STA_DEL:
            ntp.next_leap_sec = TIME64_MAX
            ntp.time_state = TIME_OK
        elif secs == ntp.next_leap_sec:
            leap = 1
            ntp.next_leap_sec = TIME64_MAX
            ntp.time_state = TIME_WAIT
            pr_notice("Clock: deleting leap second 23:59:59 UTC")
    elif state == TIME_OOP:
        ntp.next_leap_sec = TIME64_MAX
        ntp.time_state = TIME_WAIT
    elif state == TIME_WAIT:
        if not status & (STA_INS | STA_DEL):
            ntp.time_state = TIME_OK
    return leap


def ntp_catch_up(secs):
    """Run second_overflow for each second begun up to secs (the wall
    clock's, before any leap): the total leap.  Seconds in which nothing
    can happen are skipped at once."""
    if ntp.last_sec is None or secs < ntp.last_sec or not leap_pending():
        ntp.last_sec = secs
        return 0
    total = 0
    while ntp.last_sec < secs:
        if ntp.time_state in (TIME_INS, TIME_DEL) and \
                ntp.time_status & (STA_INS if ntp.time_state == TIME_INS else STA_DEL):
            # nothing happens before the leap second
            ntp.last_sec = max(ntp.last_sec + 1, min(secs, ntp.next_leap_sec))
        else:
            ntp.last_sec += 1
        leap = second_overflow(ntp.last_sec)
        if leap:
            total += leap
            secs += leap
        if not leap_pending() or ntp.time_state == TIME_WAIT:
            ntp.last_sec = secs         # nothing more until the status changes
    return total


def ntp_clock_was_set(secs):
    """The clock was set to second secs: the seconds between are not
    run (Linux's tick sees only the new time)."""
    ntp.last_sec = secs


# -- adjtimex ------------------------------------------------------------------------

def ntp_validate_timex(txc, capable_time):
    """Linux's timekeeping_validate_timex: an errno, or 0."""
    modes = txc["modes"]
    if modes & ADJ_ADJTIME:
        if not modes & ADJ_OFFSET_SINGLESHOT:
            return EINVAL
        if not modes & ADJ_OFFSET_READONLY and not capable_time:
            return EPERM
    else:
        if modes and not capable_time:
            return EPERM
        if modes & ADJ_TICK and not 900000 // USER_HZ <= txc["tick"] <= 1100000 // USER_HZ:
            return EINVAL               # a quartz 10% off: something is very wrong
    if modes & ADJ_SETOFFSET:
        if not capable_time:
            return EPERM
        limit = NSEC_PER_SEC if modes & ADJ_NANO else USEC_PER_SEC
        if not 0 <= txc["time_usec"] < limit:
            return EINVAL
    if modes & ADJ_FREQUENCY and txc["bits"] == 64:
        if not _div(-LLONG_MAX - 1, PPM_SCALE) <= txc["freq"] <= LLONG_MAX // PPM_SCALE:
            return EINVAL
    return 0


def _process_adj_status(txc, real_secs):
    if ntp.time_status & STA_PLL and not txc["status"] & STA_PLL:
        ntp.time_state = TIME_OK
        ntp.time_status = STA_UNSYNC
        ntp.next_leap_sec = TIME64_MAX
    if not ntp.time_status & STA_PLL and txc["status"] & STA_PLL:
        ntp.time_reftime = real_secs
    ntp.time_status &= STA_RONLY
    ntp.time_status |= txc["status"] & ~STA_RONLY & 0xFFFFFFFF


def _update_offset_fll(offset, secs):
    ntp.time_status &= ~STA_MODE
    if secs < MINSEC:
        return 0
    if not ntp.time_status & STA_FLL and secs <= MAXSEC:
        return 0
    ntp.time_status |= STA_MODE
    return _div(offset << (NTP_SCALE_SHIFT - SHIFT_FLL), secs)


def _ntp_update_offset(offset, real_secs):
    if not ntp.time_status & STA_PLL:
        return
    if not ntp.time_status & STA_NANO:
        offset = _clamp(offset, -USEC_PER_SEC, USEC_PER_SEC) * NSEC_PER_USEC
    offset = _clamp(offset, -MAXPHASE, MAXPHASE)
    secs = 0 if ntp.time_status & STA_FREQHOLD else real_secs - ntp.time_reftime
    ntp.time_reftime = real_secs
    freq_adj = _update_offset_fll(offset, secs)
    secs = min(secs, 1 << (SHIFT_PLL + 1 + ntp.time_constant))
    freq_adj += (offset * secs) << (NTP_SCALE_SHIFT - 2 * (SHIFT_PLL + 2 + ntp.time_constant))
    ntp.time_freq = _clamp(freq_adj + ntp.time_freq, -MAXFREQ_SCALED, MAXFREQ_SCALED)
    ntp.time_offset = _div(offset << NTP_SCALE_SHIFT, NTP_INTERVAL_FREQ)


def _process_adjtimex_modes(txc, real_secs, tai):
    modes = txc["modes"]
    if modes & ADJ_STATUS:
        _process_adj_status(txc, real_secs)
    if modes & ADJ_NANO:
        ntp.time_status |= STA_NANO
    if modes & ADJ_MICRO:
        ntp.time_status &= ~STA_NANO
    if modes & ADJ_FREQUENCY:
        ntp.time_freq = _clamp(txc["freq"] * PPM_SCALE, -MAXFREQ_SCALED, MAXFREQ_SCALED)
    if modes & ADJ_MAXERROR:
        ntp.time_maxerror = _clamp(txc["maxerror"], 0, NTP_PHASE_LIMIT)
    if modes & ADJ_ESTERROR:
        ntp.time_esterror = _clamp(txc["esterror"], 0, NTP_PHASE_LIMIT)
    if modes & ADJ_TIMECONST:
        tc = _clamp(txc["constant"], 0, MAXTC)
        if not ntp.time_status & STA_NANO:
            tc += 4
        ntp.time_constant = _clamp(tc, 0, MAXTC)
    if modes & ADJ_TAI and 0 <= txc["constant"] <= MAX_TAI_OFFSET:
        tai = txc["constant"]
    if modes & ADJ_OFFSET:
        _ntp_update_offset(txc["offset"], real_secs)
    if modes & ADJ_TICK:
        ntp.tick_usec = txc["tick"]
    return tai


def __do_adjtimex(txc, now_ns, tai):
    """Apply txc's modes and fill it with the state: (result, new tai).
    now_ns: the wall clock's time."""
    real_secs = now_ns // NSEC_PER_SEC
    if not leap_pending():
        ntp.last_sec = real_secs        # second_overflow starts from now
    if txc["modes"] & ADJ_ADJTIME:
        save_adjust = ntp.time_adjust
        if not txc["modes"] & ADJ_OFFSET_READONLY:
            ntp.time_adjust = txc["offset"]
        txc["offset"] = save_adjust
    else:
        if txc["modes"]:
            tai = _process_adjtimex_modes(txc, real_secs, tai)
        off = _shift_right(ntp.time_offset * NTP_INTERVAL_FREQ, NTP_SCALE_SHIFT)
        if not ntp.time_status & STA_NANO:
            off = (off & 0xFFFFFFFF) // NSEC_PER_USEC
        txc["offset"] = off
    result = ntp.time_state
    if is_error_status(ntp.time_status):
        result = TIME_ERROR
    txc.update(
        freq=_shift_right((ntp.time_freq >> PPM_SCALE_INV_SHIFT) * PPM_SCALE_INV, NTP_SCALE_SHIFT),
        maxerror=ntp.time_maxerror, esterror=ntp.time_esterror, status=ntp.time_status,
        constant=ntp.time_constant, precision=1, tolerance=MAXFREQ_SCALED // PPM_SCALE,
        tick=ntp.tick_usec, tai=tai, ppsfreq=0, jitter=0, shift=0, stabil=0, jitcnt=0,
        calcnt=0, errcnt=0, stbcnt=0)
    sec, nsec = divmod(now_ns, NSEC_PER_SEC)
    txc["time_sec"] = sec
    txc["time_usec"] = nsec if ntp.time_status & STA_NANO else nsec // NSEC_PER_USEC
    if sec >= ntp.next_leap_sec:
        # in the leap second: report it as it is (23:59:60), as Linux
        if ntp.time_state == TIME_INS and ntp.time_status & STA_INS:
            result = TIME_OOP
            txc["tai"] += 1
            txc["time_sec"] -= 1
        if ntp.time_state == TIME_DEL and ntp.time_status & STA_DEL:
            result = TIME_WAIT
            txc["tai"] -= 1
            txc["time_sec"] += 1
        if ntp.time_state == TIME_OOP and sec == ntp.next_leap_sec:
            result = TIME_WAIT
    return result, tai
