// DTLS 1.2 record header (RFC 6347 §4.1): type(1) version(2) epoch(2) sequence_number(6) length(2) fragment.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Dtls;

/// <summary>Why a DTLS datagram was rejected before it reached BouncyCastle.</summary>
public enum DtlsRecordError : byte
{
    None = 0,
    /// <summary>Fewer than 13 bytes left for a record header.</summary>
    TruncatedHeader,
    /// <summary>Content type is not change_cipher_spec(20), alert(21), handshake(22), application_data(23) or heartbeat(24).</summary>
    BadContentType,
    /// <summary>Version is not DTLS 1.0 (0xFEFF) or DTLS 1.2 (0xFEFD).</summary>
    BadVersion,
    /// <summary>The length field runs past the datagram.</summary>
    TruncatedFragment,
    /// <summary>An encrypted record (epoch ≥ 1) is shorter than the AEAD explicit nonce + tag.</summary>
    CiphertextTooShort,
}

/// <summary>A view of one DTLS record inside a datagram.</summary>
public readonly ref struct DtlsRecordView
{
    /// <summary>Record header size.</summary>
    public const int HeaderLength = 13;

    /// <summary>Content type (20..24).</summary>
    public readonly byte ContentType;
    /// <summary>Record version, e.g. 0xFEFD for DTLS 1.2.</summary>
    public readonly ushort Version;
    /// <summary>Epoch (0 before ChangeCipherSpec).</summary>
    public readonly ushort Epoch;
    /// <summary>48-bit sequence number.</summary>
    public readonly long SequenceNumber;
    /// <summary>The record's fragment (plaintext in epoch 0, ciphertext after).</summary>
    public readonly ReadOnlySpan<byte> Fragment;
    /// <summary>Header + fragment length: where the next record starts.</summary>
    public readonly int TotalLength;

    private DtlsRecordView(byte type, ushort version, ushort epoch, long seq, ReadOnlySpan<byte> fragment)
    {
        ContentType = type; Version = version; Epoch = epoch; SequenceNumber = seq; Fragment = fragment;
        TotalLength = HeaderLength + fragment.Length;
    }

    /// <summary>Parses the record at the start of <paramref name="data"/>; never throws or reads past it.</summary>
    public static DtlsRecordError TryParse(ReadOnlySpan<byte> data, out DtlsRecordView record)
    {
        record = default;
        if (data.Length < HeaderLength) return DtlsRecordError.TruncatedHeader;
        byte type = data[0];
        if (type is < 20 or > 24) return DtlsRecordError.BadContentType;
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
        if (version is not (0xFEFF or 0xFEFD)) return DtlsRecordError.BadVersion;
        ushort epoch = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        long seq = (long)BinaryPrimitives.ReadUInt16BigEndian(data[5..]) << 32 | BinaryPrimitives.ReadUInt32BigEndian(data[7..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[11..]);
        if (length > data.Length - HeaderLength) return DtlsRecordError.TruncatedFragment;
        record = new DtlsRecordView(type, version, epoch, seq, data.Slice(HeaderLength, length));
        return DtlsRecordError.None;
    }

    /// <summary>AES-GCM explicit nonce (8) + tag (16): the shortest ciphertext our suites produce.</summary>
    public const int MinGcmCiphertext = 24;

    /// <summary>Checks a whole datagram: every record well formed, records tile it exactly, and encrypted records
    /// (epoch ≥ 1) are at least <paramref name="minCiphertext"/> long. Used after the handshake so a forged or
    /// corrupt datagram is dropped here instead of making BouncyCastle fail the connection.</summary>
    public static DtlsRecordError CheckDatagram(ReadOnlySpan<byte> datagram, int minCiphertext = MinGcmCiphertext)
    {
        if (datagram.IsEmpty) return DtlsRecordError.TruncatedHeader;
        while (!datagram.IsEmpty)
        {
            var err = TryParse(datagram, out var r);
            if (err != DtlsRecordError.None) return err;
            if (r.Epoch != 0 && r.Fragment.Length < minCiphertext) return DtlsRecordError.CiphertextTooShort;
            datagram = datagram[r.TotalLength..];
        }
        return DtlsRecordError.None;
    }
}
