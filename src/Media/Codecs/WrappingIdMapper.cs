// Wrap-aware mapping of an N-bit id sequence (VP8/VP9 PictureID: 15 bits, TL0PICIDX: 8 bits) onto one
// continuous output sequence, across source-stream switches and dropped ids. Model: mediasoup SeqManager
// (Sync / Drop / Input), written for a fixed-size drop list so nothing allocates per packet.
namespace AkkaSfu.Media.Codecs;

/// <summary>Outcome of <see cref="WrappingIdMapper.Input"/>.</summary>
public enum IdMapResult : byte
{
    /// <summary>Mapped; the output id is valid.</summary>
    Mapped = 0,
    /// <summary>The id was dropped earlier (e.g. a later packet of a dropped picture).</summary>
    WasDropped,
    /// <summary>The id is older than the reorder window (or older than a forgotten drop) and cannot be mapped.</summary>
    TooOld,
}

/// <summary>
/// Maps input ids of an N-bit wrapping sequence to output ids so the output has no gaps for dropped ids and
/// continues without jumping back after <see cref="Sync"/>. Single-threaded, per consumer.
/// </summary>
public sealed class WrappingIdMapper
{
    private readonly int _mask, _half, _window;
    private readonly int[] _dropped; // ring, ascending in wrap-aware order
    private int _dropStart, _dropCount;
    private int _base, _maxInput, _maxOutput, _floor;
    private bool _hasInput, _hasOutput, _hasFloor;

    /// <param name="bits">Width of the id space, 2 to 16.</param>
    /// <param name="reorderWindow">How far behind the newest input an id may arrive and still be mapped
    /// exactly; older drops are folded into the offset. Also the drop-list capacity.</param>
    public WrappingIdMapper(int bits, int reorderWindow = 64)
    {
        if (bits is < 2 or > 16) throw new ArgumentOutOfRangeException(nameof(bits));
        _mask = (1 << bits) - 1;
        _half = 1 << (bits - 1);
        if (reorderWindow < 1 || reorderWindow >= _half / 2) reorderWindow = Math.Max(1, _half / 2 - 1);
        _window = reorderWindow;
        _dropped = new int[reorderWindow];
    }

    /// <summary>Highest input id seen (valid once <see cref="HasInput"/>).</summary>
    public int MaxInput => _maxInput;
    /// <summary>Highest output id produced (valid once <see cref="HasOutput"/>).</summary>
    public int MaxOutput => _maxOutput;
    /// <summary>Any input (or sync) seen.</summary>
    public bool HasInput => _hasInput;
    /// <summary>Any id output.</summary>
    public bool HasOutput => _hasOutput;
    /// <summary>Number of remembered drops (for tests).</summary>
    public int DroppedCount => _dropCount;

    /// <summary>a is newer than b in wrap-aware order (a != b and a - b is less than half the space).</summary>
    public bool IsNewer(int a, int b)
    {
        var d = (a - b) & _mask;
        return d != 0 && d < _half;
    }

    /// <summary>Turns a value of a narrower id space (e.g. a 7-bit PictureID) into this space, choosing the value
    /// nearest to <see cref="MaxInput"/>. Identity when no input yet.</summary>
    public int Extend(int value, int bits)
    {
        var m = (1 << bits) - 1;
        value &= m;
        if (!_hasInput || m >= _mask) return value & _mask;
        var delta = (value - _maxInput) & m;
        if (delta >= (m + 1) / 2) delta -= m + 1;
        return (_maxInput + delta) & _mask;
    }

    /// <summary>Re-anchors on a new source: <paramref name="firstInput"/> will map to the id after the highest
    /// output so far (or to itself if nothing was output yet). Forgets drops.</summary>
    public void Sync(int firstInput)
    {
        firstInput &= _mask;
        _base = _hasOutput ? (_maxOutput + 1 - firstInput) & _mask : 0;
        _maxInput = (firstInput - 1) & _mask;
        _hasInput = true;
        _dropStart = _dropCount = 0;
        _hasFloor = false;
    }

    /// <summary>Marks <paramref name="input"/> dropped if it is newer than every input so far; later ids close
    /// the gap. Returns false if it was not newer (nothing recorded).</summary>
    public bool Drop(int input)
    {
        input &= _mask;
        if (_hasInput && !IsNewer(input, _maxInput)) return false;
        if (_dropCount == _dropped.Length) FoldOldest();
        _dropped[(_dropStart + _dropCount) % _dropped.Length] = input;
        _dropCount++;
        _maxInput = input;
        _hasInput = true;
        FoldBehindWindow();
        return true;
    }

    /// <summary>Maps <paramref name="input"/> to its output id.</summary>
    public IdMapResult Input(int input, out int output)
    {
        input &= _mask;
        output = 0;
        if (_hasInput && !IsNewer(input, _maxInput) && ((_maxInput - input) & _mask) > _window) return IdMapResult.TooOld;
        if (_hasFloor && !IsNewer(input, _floor)) return IdMapResult.TooOld;

        // Drops are ascending: count from the newest end those not older than input.
        var notBelow = 0;
        for (var i = _dropCount - 1; i >= 0; i--)
        {
            var d = _dropped[(_dropStart + i) % _dropped.Length];
            if (d == input) return IdMapResult.WasDropped;
            if (IsNewer(input, d)) break;
            notBelow++;
        }
        output = (input + _base - (_dropCount - notBelow)) & _mask;

        if (!_hasInput || IsNewer(input, _maxInput)) _maxInput = input;
        _hasInput = true;
        if (!_hasOutput || IsNewer(output, _maxOutput)) _maxOutput = output;
        _hasOutput = true;
        FoldBehindWindow();
        return IdMapResult.Mapped;
    }

    private void FoldOldest()
    {
        _floor = _dropped[_dropStart];
        _hasFloor = true;
        _dropStart = (_dropStart + 1) % _dropped.Length;
        _dropCount--;
        _base = (_base - 1) & _mask;
    }

    private void FoldBehindWindow()
    {
        while (_dropCount > 0 && ((_maxInput - _dropped[_dropStart]) & _mask) > _window) FoldOldest();
        if (_hasFloor && ((_maxInput - _floor) & _mask) > _window) _hasFloor = false;
    }
}
