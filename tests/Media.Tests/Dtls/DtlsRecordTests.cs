using AkkaSfu.Media.Dtls;
using FsCheck.Xunit;
using Xunit;

namespace AkkaSfu.Media.Tests.Dtls;

public class DtlsRecordTests
{
    // An epoch-1, seq-9 application_data record with a 24-byte fragment.
    private static byte[] Record(byte type = 23, ushort version = 0xFEFD, ushort epoch = 1, int fragment = 24, int? lengthField = null)
    {
        var r = new byte[13 + fragment];
        r[0] = type;
        r[1] = (byte)(version >> 8); r[2] = (byte)version;
        r[3] = (byte)(epoch >> 8); r[4] = (byte)epoch;
        r[5] = 0x01; r[10] = 9;            // seq = 0x0100_0000_0009
        int len = lengthField ?? fragment;
        r[11] = (byte)(len >> 8); r[12] = (byte)len;
        for (int i = 0; i < fragment; i++) r[13 + i] = (byte)i;
        return r;
    }

    [Fact]
    public void TryParse_reads_every_field()
    {
        var bytes = Record();
        Assert.Equal(DtlsRecordError.None, DtlsRecordView.TryParse(bytes, out var r));
        Assert.Equal(23, r.ContentType);
        Assert.Equal(0xFEFD, r.Version);
        Assert.Equal(1, r.Epoch);
        Assert.Equal(0x0100_0000_0009L, r.SequenceNumber);
        Assert.Equal(24, r.Fragment.Length);
        Assert.Equal(37, r.TotalLength);
        Assert.Equal(23, r.Fragment[23]);
    }

    public static TheoryData<byte[], DtlsRecordError> Malformed => new()
    {
        { [], DtlsRecordError.TruncatedHeader },
        { Record()[..12], DtlsRecordError.TruncatedHeader },
        { Record(type: 19), DtlsRecordError.BadContentType },
        { Record(type: 25), DtlsRecordError.BadContentType },
        { Record(version: 0x0303), DtlsRecordError.BadVersion },
        { Record(version: 0xFEFC), DtlsRecordError.BadVersion },
        { Record(lengthField: 25), DtlsRecordError.TruncatedFragment },
        { Record()[..36], DtlsRecordError.TruncatedFragment },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_table(byte[] input, DtlsRecordError expected)
    {
        Assert.Equal(expected, DtlsRecordView.TryParse(input, out _));
        Assert.Equal(expected, DtlsRecordView.CheckDatagram(input));
    }

    [Fact]
    public void CheckDatagram_walks_all_records()
    {
        Assert.Equal(DtlsRecordError.None, DtlsRecordView.CheckDatagram([.. Record(epoch: 0, type: 22, fragment: 5), .. Record()]));
        // Epoch 0 may be short (plaintext CCS is 1 byte); encrypted ones may not.
        Assert.Equal(DtlsRecordError.None, DtlsRecordView.CheckDatagram(Record(type: 20, epoch: 0, fragment: 1)));
        Assert.Equal(DtlsRecordError.CiphertextTooShort, DtlsRecordView.CheckDatagram(Record(fragment: 23)));
        Assert.Equal(DtlsRecordError.CiphertextTooShort, DtlsRecordView.CheckDatagram([.. Record(), .. Record(type: 21, fragment: 2)]));
        // Trailing junk after a good record.
        Assert.Equal(DtlsRecordError.TruncatedHeader, DtlsRecordView.CheckDatagram([.. Record(), 23, 0xFE]));
        Assert.Equal(DtlsRecordError.BadContentType, DtlsRecordView.CheckDatagram([.. Record(), .. Record(type: 0)]));
    }

    [Property(MaxTest = 1000)]
    public bool Random_bytes_never_throw_and_views_stay_inside(byte[]? input)
    {
        input ??= [];
        var err = DtlsRecordView.TryParse(input, out var r);
        DtlsRecordView.CheckDatagram(input);
        return err != DtlsRecordError.None || (r.TotalLength <= input.Length && r.Fragment.Length == r.TotalLength - 13);
    }

    [Property(MaxTest = 500)]
    public bool Mutated_records_never_throw(int position, byte value, int cut)
    {
        var bytes = Record();
        bytes[(int)((uint)position % (uint)bytes.Length)] = value;
        var input = bytes.AsSpan(0, (int)((uint)cut % (uint)(bytes.Length + 1)));
        var err = DtlsRecordView.TryParse(input, out var r);
        DtlsRecordView.CheckDatagram(input);
        return err != DtlsRecordError.None || r.TotalLength <= input.Length;
    }
}
