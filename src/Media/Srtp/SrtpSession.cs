// SRTP and SRTCP packet transforms, in place: RFC 3711 §3.3 (SRTP), §3.4 (SRTCP), §4.1.1 (AES-CM), §4.2
// (HMAC-SHA1), §3.3.1/Appendix A (ROC estimation), §3.3.2 (replay); RFC 7714 §8 (AEAD SRTP), §9 (AEAD SRTCP).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaSfu.Media.Srtp.Engines;

namespace AkkaSfu.Media.Srtp;

/// <summary>
/// One SRTP crypto context (one direction of one transport) covering any number of SSRCs. Protect (send) and
/// unprotect (receive) keep separate per-SSRC state, so one instance may do both, but normally there is one
/// session per direction. Not thread-safe: it belongs to its worker thread. After a stream's first packet no
/// call allocates. Never throws on packet input; returns an <see cref="SrtpError"/>.
/// </summary>
public sealed class SrtpSession : IDisposable
{
    /// <summary>Most bytes protect appends to a packet (SRTCP with AEAD: 16-byte tag + 4-byte E|index).
    /// Give <see cref="ProtectRtp"/>/<see cref="ProtectRtcp"/> a buffer at least this much longer than the packet.</summary>
    public const int MaxTrailer = 20;

    /// <summary>Most SSRCs tracked per kind (RTP/RTCP) and direction; a new SSRC beyond it is refused.</summary>
    public const int MaxStreams = 1024;

    private const uint EFlag = 0x8000_0000;
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;

    private readonly bool _aead;
    private readonly int _rtpTag;
    private readonly CtrCipher? _rtpCtr, _rtcpCtr;
    private readonly HmacSha1? _rtpMac, _rtcpMac;
    private readonly GcmCipher? _rtpGcm, _rtcpGcm;
    private readonly ulong _rtpSaltHi, _rtpSaltLo, _rtcpSaltHi, _rtcpSaltLo;
    private bool _disposed;

    private readonly Dictionary<uint, ulong> _rtpTx = new();                 // highest index sent
    private readonly Dictionary<uint, SrtpReplayWindow> _rtpRx = new();
    private readonly Dictionary<uint, uint> _rtcpTx = new();                 // last SRTCP index sent
    private readonly Dictionary<uint, SrtpReplayWindow> _rtcpRx = new();

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Bytes protect appends to an RTP packet: 10 (HMAC-SHA1-80), 4 (-32) or 16 (AEAD).</summary>
    public int RtpTrailerLength => _rtpTag;

    /// <summary>Bytes protect appends to an RTCP packet: 14 (AES-CM: E|index + 10-byte tag) or 20 (AEAD).</summary>
    public int RtcpTrailerLength => _aead ? 20 : 14;

    /// <summary>Derives the session keys (RFC 3711 §4.3, kdr 0) and sets up the fastest available ciphers.
    /// Throws on an unknown profile or wrong key/salt length (setup error).</summary>
    public SrtpSession(SrtpMasterKey masterKey) : this(masterKey, SrtpBackend.Fast) { }

    internal SrtpSession(SrtpMasterKey masterKey, SrtpBackend backend)
        : this(masterKey.Profile, SrtpKdf.DeriveAll(masterKey), backend) { }

    /// <summary>From session keys directly (RFC 7714 vectors give session keys).</summary>
    internal SrtpSession(SrtpProfile profile, (SrtpSessionKeys Rtp, SrtpSessionKeys Rtcp) keys, SrtpBackend backend)
    {
        Profile = profile;
        switch (profile)
        {
            case SrtpProfile.Aes128CmHmacSha1_80:
            case SrtpProfile.Aes128CmHmacSha1_32:
                _rtpTag = profile == SrtpProfile.Aes128CmHmacSha1_80 ? 10 : 4;
                _rtpCtr = CtrCipher.Create(keys.Rtp.CipherKey, backend);
                _rtcpCtr = CtrCipher.Create(keys.Rtcp.CipherKey, backend);
                _rtpMac = HmacSha1.Create(keys.Rtp.AuthKey, backend);
                _rtcpMac = HmacSha1.Create(keys.Rtcp.AuthKey, backend);
                break;
            case SrtpProfile.AeadAes128Gcm:
            case SrtpProfile.AeadAes256Gcm:
                _aead = true;
                _rtpTag = 16;
                _rtpGcm = GcmCipher.Create(keys.Rtp.CipherKey, backend);
                _rtcpGcm = GcmCipher.Create(keys.Rtcp.CipherKey, backend);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown SRTP profile");
        }
        (_rtpSaltHi, _rtpSaltLo) = SplitSalt(keys.Rtp.Salt);
        (_rtcpSaltHi, _rtcpSaltLo) = SplitSalt(keys.Rtcp.Salt);
    }

    /// <summary>Like the constructor, but reports an unknown profile or bad key/salt lengths as an error.</summary>
    public static SrtpError TryCreate(SrtpMasterKey masterKey, out SrtpSession? session)
    {
        session = null;
        if (masterKey.Profile is not (SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.Aes128CmHmacSha1_32
            or SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm))
            return SrtpError.UnknownProfile;
        if (masterKey.Key.Length != masterKey.Profile.KeyLength() || masterKey.Salt.Length != masterKey.Profile.SaltLength())
            return SrtpError.UnknownProfile;
        session = new SrtpSession(masterKey);
        return SrtpError.None;
    }

    // Salt as big-endian words: bytes 0..7 and 8..15 (zero-padded).
    private static (ulong, ulong) SplitSalt(byte[] salt)
    {
        Span<byte> s = stackalloc byte[16];
        s.Clear();
        salt.AsSpan(0, Math.Min(salt.Length, 16)).CopyTo(s);
        return (BinaryPrimitives.ReadUInt64BigEndian(s), BinaryPrimitives.ReadUInt64BigEndian(s[8..]));
    }

    // ---------------------------------------------------------------- RTP

    /// <summary>Encrypts and authenticates the RTP packet in buffer[..length] in place, appending the tag.
    /// buffer must have <see cref="RtpTrailerLength"/> (at most <see cref="MaxTrailer"/>) spare bytes.</summary>
    public SrtpError ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this); // a bug, not packet input: native contexts are freed
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < _rtpTag) return SrtpError.BufferTooSmall;
        SrtpError err = ParseRtpHeader(buffer[..length], out int headerLength);
        if (err != SrtpError.None) return err;
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);

        ref ulong highest = ref CollectionsMarshal.GetValueRefOrNullRef(_rtpTx, ssrc);
        ulong index;
        if (Unsafe.IsNullRef(ref highest))
        {
            if (_rtpTx.Count >= MaxStreams) return SrtpError.TooManyStreams;
            index = seq;
            _rtpTx[ssrc] = index;
        }
        else
        {
            // A sender can be late too (a retransmission from before a wrap): estimate like a receiver.
            if (!SrtpIndex.TryEstimate(highest, seq, out index))
            {
                if (highest >> 16 != 0) return SrtpError.IndexExhausted; // ROC would pass 2^32 - 1
                index = seq; // before the first wrap: ROC stays 0
            }
            if (index > highest) highest = index;
        }
        uint roc = (uint)(index >> 16);

        if (_aead)
        {
            Span<byte> iv = stackalloc byte[12];
            GcmIv(iv, _rtpSaltHi, _rtpSaltLo, ssrc, roc, seq);
            _rtpGcm!.Encrypt(iv, buffer[..headerLength], default, buffer[headerLength..length], buffer.Slice(length, 16));
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtpSaltHi, _rtpSaltLo, ssrc, index);
            _rtpCtr!.Apply(iv, buffer[headerLength..length]);
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            Span<byte> mac = stackalloc byte[20];
            _rtpMac!.Compute(buffer[..length], rocBytes, mac);
            mac[.._rtpTag].CopyTo(buffer[length..]);
        }
        protectedLength = length + _rtpTag;
        return SrtpError.None;
    }

    /// <summary>Verifies and decrypts the SRTP packet in place. On success packet[..plainLength] is the RTP
    /// packet. Replay is checked before authentication; the index is recorded only after it passes.</summary>
    public SrtpError UnprotectRtp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this); // a bug, not packet input: native contexts are freed
        plainLength = 0;
        int length = packet.Length - _rtpTag;
        if (length < 12) return SrtpError.TooShort;
        SrtpError err = ParseRtpHeader(packet[..length], out int headerLength);
        if (err != SrtpError.None) return err;
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);

        ref SrtpReplayWindow window = ref CollectionsMarshal.GetValueRefOrNullRef(_rtpRx, ssrc);
        bool known = !Unsafe.IsNullRef(ref window);
        ulong index;
        if (known)
        {
            if (!SrtpIndex.TryEstimate(window.Highest, seq, out index)) return SrtpError.TooOld;
            err = window.Check(index);
            if (err != SrtpError.None) return err;
        }
        else
        {
            if (_rtpRx.Count >= MaxStreams) return SrtpError.TooManyStreams;
            index = seq; // first packet of a stream: ROC 0 (as Chromium starts)
        }
        uint roc = (uint)(index >> 16);

        if (_aead)
        {
            Span<byte> iv = stackalloc byte[12];
            GcmIv(iv, _rtpSaltHi, _rtpSaltLo, ssrc, roc, seq);
            if (!_rtpGcm!.Decrypt(iv, packet[..headerLength], default, packet[headerLength..length], packet.Slice(length, 16)))
                return SrtpError.AuthFailed;
        }
        else
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            Span<byte> mac = stackalloc byte[20];
            _rtpMac!.Compute(packet[..length], rocBytes, mac);
            if (!CryptographicOperations.FixedTimeEquals(mac[.._rtpTag], packet.Slice(length, _rtpTag)))
                return SrtpError.AuthFailed;
            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtpSaltHi, _rtpSaltLo, ssrc, index);
            _rtpCtr!.Apply(iv, packet[headerLength..length]);
        }

        if (known) window.Commit(index);
        else
        {
            var w = new SrtpReplayWindow();
            w.Init(index);
            _rtpRx[ssrc] = w;
        }
        plainLength = length;
        return SrtpError.None;
    }

    // ---------------------------------------------------------------- RTCP

    /// <summary>Encrypts and authenticates the (compound) RTCP packet in buffer[..length] in place with the next
    /// SRTCP index of its first SSRC (the first index is 1), appending the trailer (<see cref="RtcpTrailerLength"/>).</summary>
    public SrtpError ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this); // a bug, not packet input: native contexts are freed
        protectedLength = 0;
        int trailer = RtcpTrailerLength;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < trailer) return SrtpError.BufferTooSmall;
        if (length < 8) return SrtpError.TooShort;
        if (buffer[0] >> 6 != 2) return SrtpError.BadVersion;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);

        ref uint last = ref CollectionsMarshal.GetValueRefOrAddDefault(_rtcpTx, ssrc, out bool exists);
        if (!exists && _rtcpTx.Count > MaxStreams)
        {
            _rtcpTx.Remove(ssrc);
            return SrtpError.TooManyStreams;
        }
        if (last >= MaxSrtcpIndex) return SrtpError.IndexExhausted;
        uint index = ++last;
        uint eIndex = EFlag | index;

        if (_aead)
        {
            Span<byte> iv = stackalloc byte[12];
            GcmRtcpIv(iv, _rtcpSaltHi, _rtcpSaltLo, ssrc, index);
            Span<byte> ei = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(ei, eIndex);
            _rtcpGcm!.Encrypt(iv, buffer[..8], ei, buffer[8..length], buffer.Slice(length, 16));
            ei.CopyTo(buffer[(length + 16)..]);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtcpSaltHi, _rtcpSaltLo, ssrc, index);
            _rtcpCtr!.Apply(iv, buffer[8..length]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], eIndex);
            Span<byte> mac = stackalloc byte[20];
            _rtcpMac!.Compute(buffer[..(length + 4)], default, mac);
            mac[..10].CopyTo(buffer[(length + 4)..]);
        }
        protectedLength = length + trailer;
        return SrtpError.None;
    }

    /// <summary>Verifies and (if the E flag is set) decrypts the SRTCP packet in place; on success
    /// packet[..plainLength] is the RTCP packet. Replay per SSRC on the 31-bit SRTCP index.</summary>
    public SrtpError UnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this); // a bug, not packet input: native contexts are freed
        plainLength = 0;
        int trailer = RtcpTrailerLength;
        int length = packet.Length - trailer;
        if (length < 8) return SrtpError.TooShort;
        if (packet[0] >> 6 != 2) return SrtpError.BadVersion;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        int eiAt = _aead ? packet.Length - 4 : length;
        uint eIndex = BinaryPrimitives.ReadUInt32BigEndian(packet[eiAt..]);
        bool encrypted = (eIndex & EFlag) != 0;
        uint index = eIndex & MaxSrtcpIndex;

        ref SrtpReplayWindow window = ref CollectionsMarshal.GetValueRefOrNullRef(_rtcpRx, ssrc);
        bool known = !Unsafe.IsNullRef(ref window);
        if (known)
        {
            SrtpError err = window.Check(index);
            if (err != SrtpError.None) return err;
        }
        else if (_rtcpRx.Count >= MaxStreams) return SrtpError.TooManyStreams;

        if (_aead)
        {
            Span<byte> iv = stackalloc byte[12];
            GcmRtcpIv(iv, _rtcpSaltHi, _rtcpSaltLo, ssrc, index);
            ReadOnlySpan<byte> ei = packet.Slice(eiAt, 4);
            ReadOnlySpan<byte> tag = packet.Slice(length, 16);
            bool ok = encrypted
                ? _rtcpGcm!.Decrypt(iv, packet[..8], ei, packet[8..length], tag)
                : _rtcpGcm!.Decrypt(iv, packet[..length], ei, default, tag);
            if (!ok) return SrtpError.AuthFailed;
        }
        else
        {
            Span<byte> mac = stackalloc byte[20];
            _rtcpMac!.Compute(packet[..(length + 4)], default, mac);
            if (!CryptographicOperations.FixedTimeEquals(mac[..10], packet.Slice(length + 4, 10)))
                return SrtpError.AuthFailed;
            if (encrypted)
            {
                Span<byte> iv = stackalloc byte[16];
                CmIv(iv, _rtcpSaltHi, _rtcpSaltLo, ssrc, index);
                _rtcpCtr!.Apply(iv, packet[8..length]);
            }
        }

        if (known) window.Commit(index);
        else
        {
            var w = new SrtpReplayWindow();
            w.Init(index);
            _rtcpRx[ssrc] = w;
        }
        plainLength = length;
        return SrtpError.None;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>RFC 3550 §5.1 fixed header + CSRCs + RFC 3550 §5.3.1 extension; the part AES-CM leaves clear and
    /// AEAD authenticates.</summary>
    internal static SrtpError ParseRtpHeader(ReadOnlySpan<byte> p, out int headerLength)
    {
        headerLength = 0;
        if (p.Length < 12) return SrtpError.TooShort;
        if (p[0] >> 6 != 2) return SrtpError.BadVersion;
        int hl = 12 + 4 * (p[0] & 0x0F);
        if (p.Length < hl) return SrtpError.TooShort;
        if ((p[0] & 0x10) != 0)
        {
            if (p.Length < hl + 4) return SrtpError.TooShort;
            hl += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(p[(hl + 2)..]);
            if (p.Length < hl) return SrtpError.TooShort;
        }
        headerLength = hl;
        return SrtpError.None;
    }

    // RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16). For SRTCP, i is the SRTCP index.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CmIv(Span<byte> iv16, ulong saltHi, ulong saltLo, uint ssrc, ulong index)
    {
        BinaryPrimitives.WriteUInt64BigEndian(iv16, saltHi ^ ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(iv16[8..], saltLo ^ (index << 16));
    }

    // RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; §9.1 SRTCP: (00 00 || SSRC || 00 00 || 0|index).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GcmIv(Span<byte> iv12, ulong saltHi, ulong saltLo, uint ssrc, uint roc, ushort seq)
    {
        BinaryPrimitives.WriteUInt64BigEndian(iv12, saltHi ^ (((ulong)ssrc << 16) | (roc >> 16)));
        BinaryPrimitives.WriteUInt32BigEndian(iv12[8..], (uint)(saltLo >> 32) ^ ((roc << 16) | seq));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GcmRtcpIv(Span<byte> iv12, ulong saltHi, ulong saltLo, uint ssrc, uint index)
    {
        BinaryPrimitives.WriteUInt64BigEndian(iv12, saltHi ^ ((ulong)ssrc << 16));
        BinaryPrimitives.WriteUInt32BigEndian(iv12[8..], (uint)(saltLo >> 32) ^ index);
    }

    // ---------------------------------------------------------------- test hooks

    /// <summary>Test hook: the next SRTCP index sent for ssrc will be last + 1.</summary>
    internal void SetRtcpSendIndex(uint ssrc, uint last) => _rtcpTx[ssrc] = last;

    /// <summary>Test hook: sender state as if index (ROC*65536+SEQ) was the highest sent for ssrc.</summary>
    internal void SetRtpSendIndex(uint ssrc, ulong index) => _rtpTx[ssrc] = index;

    /// <summary>Test/bench hook: receiver state as if index was the first accepted packet of ssrc.</summary>
    internal void SetRtpReceiveIndex(uint ssrc, ulong index)
    {
        var w = new SrtpReplayWindow();
        w.Init(index);
        _rtpRx[ssrc] = w;
    }

    /// <summary>Bench hook: forget all receive state (replay windows).</summary>
    internal void ResetReceiveState()
    {
        _rtpRx.Clear();
        _rtcpRx.Clear();
    }

    /// <summary>Frees the cipher contexts (native ones included). Later calls throw ObjectDisposedException.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _rtpCtr?.Dispose(); _rtcpCtr?.Dispose();
        _rtpMac?.Dispose(); _rtcpMac?.Dispose();
        _rtpGcm?.Dispose(); _rtcpGcm?.Dispose();
    }
}
