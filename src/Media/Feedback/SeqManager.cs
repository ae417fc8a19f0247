// Consumer-side RTP sequence number rewriting (the idea of mediasoup's SeqManager<uint16_t>): the output
// sequence stays gap-free when the consumer deliberately skips input packets (Drop: layer filtered,
// padding-only) and continues from the last output after a source switch or resume (Sync).
// RFC 3550 §5.1: receivers treat seq gaps as loss, so skipped packets must not leave holes.
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Feedback;

/// <summary>
/// Maps input seqs to output seqs: output = input + base − (dropped inputs older than input). Drops are
/// kept in an ascending ring (they are only accepted for inputs newer than any seen, so they arrive in
/// order); once a drop is more than <see cref="FoldWindow"/> behind the newest input it is folded into
/// the base. Wrap-aware throughout. Single-threaded; the ring grows (rarely) up to 64 KB and never
/// shrinks, so steady-state calls allocate nothing.
/// </summary>
public sealed class SeqManager
{
    /// <summary>How far behind the newest input a drop is still tracked individually. Inputs older than
    /// this (very late packets) may map one off for each drop folded since.</summary>
    public const int FoldWindow = 0x4000;

    private ushort[] _dropped = new ushort[16];
    private int _head;  // index of the oldest drop
    private int _count;
    private ushort _base;
    private ushort _maxInput;
    private ushort _maxOutput;
    private bool _started;

    /// <summary>Newest input seen (accepted or dropped).</summary>
    public ushort MaxInput => _maxInput;
    /// <summary>Newest output produced.</summary>
    public ushort MaxOutput => _maxOutput;
    /// <summary>Drops tracked individually right now.</summary>
    public int PendingDrops => _count;

    /// <summary>Makes <paramref name="input"/> map to the newest output so far, so that input + 1 continues
    /// the output sequence without a gap (call with first new seq − 1 on resume or a source/layer switch).
    /// Forgets pending drops.</summary>
    public void Sync(ushort input)
    {
        _base = (ushort)(_maxOutput - input);
        _maxInput = input;
        _count = 0;
        _head = 0;
    }

    /// <summary>Shifts all future outputs by <paramref name="delta"/> (e.g. leave room for padding sent in
    /// between).</summary>
    public void Offset(ushort delta) => _base = (ushort)(_base + delta);

    /// <summary>Skips <paramref name="input"/>: later inputs close the gap. Only inputs newer than any seen
    /// can be dropped; older ones are ignored (they are forwarded if they later come through Input).</summary>
    public void Drop(ushort input)
    {
        if (_started && !SeqNum.IsNewer(input, _maxInput)) return;
        _started = true;
        _maxInput = input;
        Push(input);
        Fold();
    }

    /// <summary>Maps <paramref name="input"/> to <paramref name="output"/>. Returns false (output 0) when the
    /// input was dropped before.</summary>
    public bool Input(ushort input, out ushort output)
    {
        output = 0;
        int older = 0;
        if (_count > 0)
        {
            if (IsDropped(input)) return false;
            older = CountDroppedOlderThan(input);
        }
        output = (ushort)(input + _base - older);
        if (!_started)
        {
            _started = true;
            _maxInput = input;
            _maxOutput = output;
            return true;
        }
        if (SeqNum.IsNewer(input, _maxInput)) { _maxInput = input; Fold(); }
        if (SeqNum.IsNewer(output, _maxOutput)) _maxOutput = output;
        return true;
    }

    private ushort At(int i) => _dropped[(_head + i) & (_dropped.Length - 1)];

    private void Push(ushort v)
    {
        if (_count == _dropped.Length)
        {
            var bigger = new ushort[_dropped.Length * 2];
            for (int i = 0; i < _count; i++) bigger[i] = At(i);
            _dropped = bigger;
            _head = 0;
        }
        _dropped[(_head + _count) & (_dropped.Length - 1)] = v;
        _count++;
    }

    // Folds drops more than FoldWindow behind _maxInput into the base.
    private void Fold()
    {
        while (_count > 0 && (ushort)(_maxInput - At(0)) > FoldWindow)
        {
            _head = (_head + 1) & (_dropped.Length - 1);
            _count--;
            _base--;
        }
    }

    // Distance behind _maxInput; drops are ascending, so their distances are descending.
    private int Behind(ushort v) => (ushort)(_maxInput - v);

    private bool IsDropped(ushort input)
    {
        int k = FirstNotOlderIndex(input);
        return k < _count && At(k) == input;
    }

    private int CountDroppedOlderThan(ushort input) => FirstNotOlderIndex(input);

    // Index of the first drop that is not older than input (the number of drops older than input).
    private int FirstNotOlderIndex(ushort input)
    {
        if (SeqNum.IsNewer(input, _maxInput)) return _count; // every drop is older
        int target = Behind(input);
        if (target > FoldWindow) return 0;                 // older than every tracked drop
        int lo = 0, hi = _count;                            // find first with Behind <= target
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (Behind(At(mid)) > target) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
