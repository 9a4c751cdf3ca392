namespace Raworc.Tests;

/// <summary>
/// A clock that moves only when told, so a wait's timing is exact whatever the machine's load. With
/// <see cref="AutoAdvance"/> it moves by itself, but only while the server is idle in a delay: a wait always holds
/// its deadline timer, so a second pending timer means the server is sleeping, and the clock jumps to the earliest
/// one. Reads in flight never see time pass.
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private long _ticks = new DateTimeOffset(2025, 8, 30, 18, 23, 0, TimeSpan.Zero).UtcTicks;
    private bool _autoAdvance = true;

    /// <summary>Jump to the next timer whenever the server sleeps (default); off, only <see cref="Advance"/> moves the clock.</summary>
    public bool AutoAdvance
    {
        get { lock (_gate) return _autoAdvance; }
        set
        {
            lock (_gate) _autoAdvance = value;
            StepIfIdle();
        }
    }

    /// <summary>Timers waiting to fire: the deadline of each wait under way plus, while it sleeps, its delay.</summary>
    public int PendingTimers
    {
        get { lock (_gate) return _timers.Count; }
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock on, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        long target;
        lock (_gate) target = _ticks + by.Ticks;
        while (FireNext(target)) { }
        lock (_gate) _ticks = Math.Max(_ticks, target);
    }

    /// <summary>Fires the earliest timer due at or before <paramref name="until"/>; false when there is none.</summary>
    private bool FireNext(long until)
    {
        Timer? next;
        lock (_gate)
        {
            next = _timers.MinBy(t => t.Due);
            if (next is null || next.Due > until) return false;
            _ticks = Math.Max(_ticks, next.Due);
            _timers.Remove(next);
        }
        next.Fire();
        return true;
    }

    private void StepIfIdle()
    {
        lock (_gate)
            if (!_autoAdvance || _timers.Count < 2) return;
        // Off the caller's thread: the timer was just created inside Task.Delay or a CancellationTokenSource.
        ThreadPool.QueueUserWorkItem(_ =>
        {
            long due;
            lock (_gate)
            {
                if (!_autoAdvance || _timers.Count < 2) return;
                due = _timers.Min(t => t.Due);
            }
            FireNext(due);
        });
    }

    private sealed class Timer(SteppingClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public long Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                Due = clock._ticks + dueTime.Ticks;
                clock._timers.Add(this);
            }
            clock.StepIfIdle();
            return true;
        }

        public void Fire()
        {
            callback(state);
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero) Change(_period, _period);
        }

        public void Dispose()
        {
            lock (clock._gate) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
