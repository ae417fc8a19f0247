using AkkaSfu.Media.Codecs;
using FsCheck;
using FsCheck.Xunit;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;
using Dti = AkkaSfu.Media.Codecs.DecodeTargetIndication;

namespace AkkaSfu.Media.Tests.Codecs;

public class DependencyDescriptorTests
{
    // Chromium's AV1 L1T3 key frame, first packet: start_of_frame, template 0, frame_number 303, with the template
    // dependency structure (5 templates, 3 decode targets, 1 chain). Quoted from https://issues.webrtc.org/issues/42225660
    // by mediasoup's worker/test/src/RTC/Codecs/TestDependencyDescriptor.cpp. Decode target 0 is the base layer here.
    internal const string ChromeL1T3KeyFrame = "80 01 2F 80 02 14 EA A8 60 41 4D 14 10 20 84 26";

    // --- writing test input from the A.8.2 syntax --------------------------------------------------------------

    /// <summary>Writes f(n) and ns(n) high bit first; ToArray zero-pads to whole bytes.</summary>
    internal sealed class BitWriter
    {
        private readonly List<bool> _bits = [];
        public int BitCount => _bits.Count;

        public BitWriter Bits(ulong value, int n)
        {
            for (var i = n - 1; i >= 0; i--) _bits.Add(((value >> i) & 1) != 0);
            return this;
        }

        public BitWriter Bit(bool b) => Bits(b ? 1UL : 0, 1);

        /// <summary>The five flags of extended_descriptor_fields.</summary>
        public BitWriter Flags(bool structure = false, bool active = false, bool dtis = false, bool fdiffs = false,
            bool chains = false) => Bit(structure).Bit(active).Bit(dtis).Bit(fdiffs).Bit(chains);

        /// <summary>write_ns(n, v) of A.8.2.</summary>
        public BitWriter Ns(uint n, uint v)
        {
            if (n == 1) return this;
            var w = 0;
            for (var x = n; x != 0; x >>= 1) w++;
            var m = (1u << w) - n;
            return v < m ? Bits(v, w - 1) : Bits(v + m, w);
        }

        public byte[] ToArray()
        {
            var bytes = new byte[(_bits.Count + 7) / 8];
            for (var i = 0; i < _bits.Count; i++)
                if (_bits[i]) bytes[i >> 3] |= (byte)(0x80 >> (i & 7));
            return bytes;
        }
    }

    /// <summary>One template of a structure to write: its next_layer_idc, DTIs, fdiffs and chain fdiffs.</summary>
    internal sealed record Template(int NextLayerIdc, Dti[] Dtis, int[] Fdiffs, int[] Chains);

    internal sealed record Structure(int Offset, int DtCnt, Template[] Templates, int ChainCnt, int[] ProtectedBy,
        (int W, int H)[]? Resolutions = null)
    {
        public void Write(BitWriter w)
        {
            w.Bits((ulong)Offset, 6).Bits((ulong)(DtCnt - 1), 5);
            foreach (var t in Templates) w.Bits((ulong)t.NextLayerIdc, 2);
            foreach (var t in Templates)
                foreach (var d in t.Dtis) w.Bits((ulong)d, 2);
            foreach (var t in Templates)
            {
                foreach (var f in t.Fdiffs) w.Bit(true).Bits((ulong)(f - 1), 4);
                w.Bit(false);
            }
            w.Ns((uint)DtCnt + 1, (uint)ChainCnt);
            if (ChainCnt > 0)
            {
                foreach (var p in ProtectedBy) w.Ns((uint)ChainCnt, (uint)p);
                foreach (var t in Templates)
                    foreach (var c in t.Chains) w.Bits((ulong)c, 4);
            }
            w.Bit(Resolutions is not null);
            if (Resolutions is not null)
                foreach (var (rw, rh) in Resolutions) w.Bits((ulong)(rw - 1), 16).Bits((ulong)(rh - 1), 16);
        }
    }

    /// <summary>The spec's L1T3 example (A.10.2.1): one spatial layer, three temporal layers, one chain over T0.
    /// Decode targets in the spec's column order: 30 fps, 15 fps, 7.5 fps.</summary>
    internal static Structure SpecL1T3(int offset = 0) => new(offset, 3,
    [
        new(0, [Dti.Switch, Dti.Switch, Dti.Switch], [], [0]),                           // S0 T0, key
        new(1, [Dti.Switch, Dti.Switch, Dti.Switch], [4], [4]),                          // S0 T0
        new(1, [Dti.Switch, Dti.Discardable, Dti.NotPresent], [2], [2]),                 // S0 T1
        new(0, [Dti.Discardable, Dti.NotPresent, Dti.NotPresent], [1], [1]),             // S0 T2
        new(3, [Dti.Discardable, Dti.NotPresent, Dti.NotPresent], [1], [3]),             // S0 T2
    ], 1, [0, 0, 0]);

    internal static BitWriter Mandatory(bool sof, bool eof, int templateId, int frameNumber) =>
        new BitWriter().Bit(sof).Bit(eof).Bits((ulong)templateId, 6).Bits((ulong)frameNumber, 16);

    internal static byte[] KeyFramePacket(Structure s, int templateIndex = 0, int frameNumber = 100)
    {
        var w = Mandatory(true, false, (s.Offset + templateIndex) & 63, frameNumber).Flags(structure: true);
        s.Write(w);
        return w.ToArray();
    }

    internal static byte[] MandatoryOnly(bool sof, bool eof, int templateId, int frameNumber) =>
        Mandatory(sof, eof, templateId, frameNumber).ToArray();

    private static DependencyDescriptorReader ReaderWith(Structure s)
    {
        var reader = new DependencyDescriptorReader();
        Assert.Equal(DdError.None, reader.TryRead(KeyFramePacket(s), out _));
        return reader;
    }

    // --- the spec's L1T3 structure -----------------------------------------------------------------------------

    [Fact]
    public void Spec_L1T3_structure_parses_into_templates_chains_and_decode_targets()
    {
        var reader = new DependencyDescriptorReader();
        Assert.Null(reader.Structure);
        Assert.Equal(DdError.None, reader.TryRead(KeyFramePacket(SpecL1T3(), 0, 100), out var info));

        Assert.True(info.HasStructure);
        Assert.Equal(128, info.UsedBits);       // the structure read to its last bit
        Assert.True(info.StartOfFrame);
        Assert.False(info.EndOfFrame);
        Assert.Equal(100, info.FrameNumber);
        Assert.Equal(0, info.TemplateId);
        Assert.Equal((0, 0), (info.SpatialId, info.TemporalId));
        Assert.Equal(0b111, info.ActiveDecodeTargetsBitmask);   // a structure implies all decode targets
        Assert.Equal(0b111, reader.ActiveDecodeTargetsBitmask);

        var s = reader.Structure!;
        Assert.Equal(0, s.TemplateIdOffset);
        Assert.Equal(3, s.DecodeTargetCount);
        Assert.Equal(5, s.TemplateCount);
        Assert.Equal(1, s.ChainCount);
        Assert.Equal(0, s.MaxSpatialId);
        Assert.Equal(2, s.MaxTemporalId);
        Assert.False(s.HasResolutions);
        Assert.False(s.TryGetResolution(0, out _, out _));
        Assert.Equal(new byte[] { 0, 0, 1, 2, 2 }, Enumerable.Range(0, 5).Select(s.TemporalId));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, Enumerable.Range(0, 5).Select(s.SpatialId));
        Assert.Equal(new[] { "", "4", "2", "1", "1" }, Enumerable.Range(0, 5).Select(i => string.Join(",", s.Fdiffs(i).ToArray())));
        Assert.Equal(new byte[] { 0, 4, 2, 1, 3 }, Enumerable.Range(0, 5).Select(i => s.ChainFdiff(i, 0)));
        Assert.Equal(new[] { Dti.Switch, Dti.Discardable, Dti.NotPresent }, Enumerable.Range(0, 3).Select(dt => s.Dti(2, dt)));
        Assert.Equal(new[] { Dti.Discardable, Dti.NotPresent, Dti.NotPresent }, Enumerable.Range(0, 3).Select(dt => s.Dti(4, dt)));
        Assert.Equal(new[] { 0, 0, 0 }, Enumerable.Range(0, 3).Select(s.ProtectedBy));
        // decode_target_layers: 30 fps needs T2, 15 fps T1, 7.5 fps T0.
        Assert.Equal(new byte[] { 2, 1, 0 }, Enumerable.Range(0, 3).Select(s.DecodeTargetTemporalId));
        Assert.Equal(new byte[] { 0, 0, 0 }, Enumerable.Range(0, 3).Select(s.DecodeTargetSpatialId));
    }

    [Theory]
    // template id, temporal id: the five L1T3 templates are T0 T0 T1 T2 T2
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    public void Mandatory_only_packets_take_their_layers_from_the_template(int templateId, int temporalId)
    {
        var reader = ReaderWith(SpecL1T3());
        Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(true, true, templateId, 101), out var info));
        Assert.Equal(templateId, info.TemplateId);
        Assert.Equal(24, info.UsedBits);
        Assert.Equal(0, info.SpatialId);
        Assert.Equal(temporalId, info.TemporalId);
        Assert.False(info.HasStructure);
        Assert.Equal(-1, info.ActiveDecodeTargetsBitmask);
        Assert.Equal(reader.Structure!.Dtis(templateId), info.Dtis);
    }

    [Theory]
    // first byte, start, end
    [InlineData(0x82, true, false)]
    [InlineData(0x42, false, true)]
    [InlineData(0xC2, true, true)]
    [InlineData(0x02, false, false)]
    public void Start_and_end_of_frame_and_frame_number(int b0, bool sof, bool eof)
    {
        var reader = ReaderWith(SpecL1T3());
        Assert.Equal(DdError.None, reader.TryRead([(byte)b0, 0xAB, 0xCD], out var info));
        Assert.Equal(sof, info.StartOfFrame);
        Assert.Equal(eof, info.EndOfFrame);
        Assert.Equal(2, info.TemplateId);
        Assert.Equal(1, info.TemporalId);
        Assert.Equal(0xABCD, info.FrameNumber);
    }

    [Theory]
    // offset 62: template ids 62 63 0 1 2 are indices 0-4; 3 and 61 are no template
    [InlineData(62, DdError.None, 0)]
    [InlineData(63, DdError.None, 0)]
    [InlineData(0, DdError.None, 1)]
    [InlineData(1, DdError.None, 2)]
    [InlineData(2, DdError.None, 2)]
    [InlineData(3, DdError.UnknownTemplate, 0)]
    [InlineData(61, DdError.UnknownTemplate, 0)]
    public void Template_id_offset_wraps_modulo_64(int templateId, DdError expected, int temporalId)
    {
        var reader = ReaderWith(SpecL1T3(offset: 62));
        Assert.Equal(62, reader.Structure!.TemplateIdOffset);
        Assert.Equal(expected, reader.TryRead(MandatoryOnly(true, true, templateId, 7), out var info));
        Assert.Equal(temporalId, info.TemporalId);
    }

    // --- Chromium's bytes --------------------------------------------------------------------------------------

    [Fact]
    public void Chrome_l1t3_key_frame_parses()
    {
        var reader = new DependencyDescriptorReader();
        Assert.Equal(DdError.None, reader.TryRead(Hex(ChromeL1T3KeyFrame), out var info));
        Assert.True(info.StartOfFrame);
        Assert.False(info.EndOfFrame);
        Assert.Equal(0, info.TemplateId);
        Assert.Equal(303, info.FrameNumber);
        Assert.True(info.HasStructure);
        Assert.Equal(128, info.UsedBits);
        Assert.Equal(0b111, info.ActiveDecodeTargetsBitmask);

        var s = reader.Structure!;
        Assert.Equal(0, s.TemplateIdOffset);
        Assert.Equal(3, s.DecodeTargetCount);
        Assert.Equal(5, s.TemplateCount);
        Assert.Equal(new byte[] { 0, 0, 1, 2, 2 }, Enumerable.Range(0, 5).Select(s.TemporalId));
        Assert.Equal(new[] { Dti.Switch, Dti.Switch, Dti.Switch }, Enumerable.Range(0, 3).Select(dt => s.Dti(0, dt)));
        Assert.Equal(new[] { Dti.Switch, Dti.Switch, Dti.Switch }, Enumerable.Range(0, 3).Select(dt => s.Dti(1, dt)));
        Assert.Equal(new[] { Dti.NotPresent, Dti.Discardable, Dti.Switch }, Enumerable.Range(0, 3).Select(dt => s.Dti(2, dt)));
        Assert.Equal(new[] { Dti.NotPresent, Dti.NotPresent, Dti.Discardable }, Enumerable.Range(0, 3).Select(dt => s.Dti(3, dt)));
        Assert.Equal(new[] { Dti.NotPresent, Dti.NotPresent, Dti.Discardable }, Enumerable.Range(0, 3).Select(dt => s.Dti(4, dt)));
        Assert.Equal(new[] { "", "4", "2", "1", "1" }, Enumerable.Range(0, 5).Select(i => string.Join(",", s.Fdiffs(i).ToArray())));
        Assert.Equal(1, s.ChainCount);
        Assert.Equal(new byte[] { 0, 4, 2, 1, 3 }, Enumerable.Range(0, 5).Select(i => s.ChainFdiff(i, 0)));
        Assert.Equal(new[] { 0, 0, 0 }, Enumerable.Range(0, 3).Select(s.ProtectedBy));
        Assert.Equal(new byte[] { 0, 1, 2 }, Enumerable.Range(0, 3).Select(s.DecodeTargetTemporalId));
        Assert.False(s.HasResolutions);

        // Then the delta frames of the pattern T0 T2 T1 T2 name templates 1 3 2 4.
        int[] templates = [1, 3, 2, 4];
        int[] tids = [0, 2, 1, 2];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(true, true, templates[i], 304 + i), out var d));
            Assert.Equal(tids[i], d.TemporalId);
            Assert.Equal(304 + i, d.FrameNumber);
        }
    }

    [Theory]
    // Chrome's 16-byte key-frame descriptor cut to each length: 128 bits are mandatory 24, flags 5, offset and
    // dt_cnt 11 (to bit 40), template layers 10 (50), dtis 30 (80), fdiffs 25 (105), chains 22 (127), resolutions
    // flag 1 (128).
    [InlineData(0, DdError.Empty)]
    [InlineData(1, DdError.TruncatedMandatoryFields)]
    [InlineData(2, DdError.TruncatedMandatoryFields)]
    [InlineData(3, DdError.NoStructure)]
    [InlineData(4, DdError.TruncatedStructureHeader)]
    [InlineData(5, DdError.TruncatedTemplateLayers)]
    [InlineData(6, DdError.TruncatedTemplateLayers)]
    [InlineData(7, DdError.TruncatedTemplateDtis)]
    [InlineData(8, DdError.TruncatedTemplateDtis)]
    [InlineData(9, DdError.TruncatedTemplateDtis)]
    [InlineData(10, DdError.TruncatedTemplateFdiffs)]
    [InlineData(11, DdError.TruncatedTemplateFdiffs)]
    [InlineData(12, DdError.TruncatedTemplateFdiffs)]
    [InlineData(13, DdError.TruncatedTemplateFdiffs)]
    [InlineData(14, DdError.TruncatedTemplateChains)]
    [InlineData(15, DdError.TruncatedTemplateChains)]
    [InlineData(16, DdError.None)]
    public void Each_truncation_of_the_chrome_key_frame_gives_its_exact_error(int length, DdError expected)
    {
        var reader = new DependencyDescriptorReader();
        Assert.Equal(expected, reader.TryRead(Hex(ChromeL1T3KeyFrame).AsSpan(0, length), out var info));
        if (expected != DdError.None)
        {
            Assert.Null(reader.Structure);
            Assert.Equal(default, info);
        }
    }

    [Theory]
    // hex, whether Chrome's L1T3 structure is kept first, expected
    [InlineData("", true, DdError.Empty)]
    [InlineData("80", true, DdError.TruncatedMandatoryFields)]
    [InlineData("80 00", true, DdError.TruncatedMandatoryFields)]
    [InlineData("80 00 01", false, DdError.NoStructure)]
    [InlineData("80 00 01 20", false, DdError.NoStructure)]                      // extended, no structure: same
    [InlineData("80 00 01", true, DdError.None)]
    [InlineData("85 00 01", true, DdError.UnknownTemplate)]                       // template 5 of 0-4
    [InlineData("80 00 01 40", true, DdError.None)]                               // active bitmask 000 fits in 3 bits
    [InlineData("80 00 01 20", true, DdError.TruncatedCustomDtis)]                // 3 DTIs need 6 bits, 3 left
    [InlineData("80 00 01 12", true, DdError.TruncatedCustomFdiffs)]              // next_fdiff_size 1, 1 of 4 bits
    [InlineData("80 00 01 16 00", true, DdError.TruncatedCustomFdiffs)]           // next_fdiff_size 3, 9 of 12 bits
    [InlineData("80 00 01 12 ff", true, DdError.TruncatedCustomFdiffs)]           // size 1 (fdiff 8), then size 3 cut short
    [InlineData("80 00 01 08", true, DdError.TruncatedCustomChains)]              // one chain needs 8 bits, 3 left
    // Chrome's key frame with the active flag also set: the bitmask's 3 bits follow the structure.
    [InlineData("80 01 2F C0 02 14 EA A8 60 41 4D 14 10 20 84 26", false, DdError.TruncatedActiveDecodeTargets)]
    [InlineData("80 01 2F C0 02 14 EA A8 60 41 4D 14 10 20 84 26 A0", false, DdError.None)]
    public void Truncated_and_malformed_packets_give_their_exact_error(string hex, bool withStructure, DdError expected)
    {
        var reader = new DependencyDescriptorReader();
        if (withStructure) Assert.Equal(DdError.None, reader.TryRead(Hex(ChromeL1T3KeyFrame), out _));
        Assert.Equal(expected, reader.TryRead(Hex(hex), out _));
    }

    // --- structure bounds, replacement, resolutions ------------------------------------------------------------

    private static Structure WithTemplates(int count) => new(0, 1,
        [.. Enumerable.Range(0, count).Select(i => new Template(i == count - 1 ? 3 : 0, [Dti.Switch], [], []))], 0, []);

    [Fact]
    public void Sixty_four_templates_parse_and_sixty_five_are_too_many()
    {
        var reader = new DependencyDescriptorReader();
        Assert.Equal(DdError.None, reader.TryRead(KeyFramePacket(WithTemplates(64)), out _));
        Assert.Equal(64, reader.Structure!.TemplateCount);
        Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(true, true, 63, 101), out _));

        var fresh = new DependencyDescriptorReader();
        Assert.Equal(DdError.TooManyTemplates, fresh.TryRead(KeyFramePacket(WithTemplates(65)), out _));
        Assert.Null(fresh.Structure);
    }

    [Fact]
    public void Thirty_two_decode_targets_parse_with_a_32_bit_active_mask()
    {
        var dtis = Enumerable.Repeat(Dti.Required, 32).ToArray();
        var s = new Structure(5, 32, [new(3, dtis, [], [])], 0, []);
        var reader = ReaderWith(s);
        Assert.Equal(32, reader.Structure!.DecodeTargetCount);
        Assert.Equal(0xFFFF_FFFFL, reader.ActiveDecodeTargetsBitmask);
        Assert.Equal(-1, reader.Structure.ProtectedBy(0));

        var packet = Mandatory(true, true, 5, 101).Flags(active: true).Bits(0x8000_0001, 32).ToArray();
        Assert.Equal(DdError.None, reader.TryRead(packet, out var info));
        Assert.Equal(0x8000_0001L, info.ActiveDecodeTargetsBitmask);
        Assert.Equal(0x8000_0001L, reader.ActiveDecodeTargetsBitmask);
        Assert.Equal(Dti.Required, info.Dti(31));
    }

    [Fact]
    public void A_new_structure_replaces_the_kept_one_and_an_older_one_does_not()
    {
        var reader = ReaderWith(SpecL1T3(offset: 0));                 // frame 100
        var first = reader.Structure;

        Assert.Equal(DdError.None, reader.TryRead(KeyFramePacket(SpecL1T3(offset: 10), 0, 200), out var info));
        Assert.True(info.HasStructure);
        Assert.NotSame(first, reader.Structure);
        Assert.Equal(10, reader.Structure!.TemplateIdOffset);
        Assert.Equal(DdError.UnknownTemplate, reader.TryRead(MandatoryOnly(true, true, 2, 201), out _));
        Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(true, true, 12, 201), out info));
        Assert.Equal(1, info.TemporalId);

        // A late retransmission of the first key frame (frame 100 < 200) is described but does not take over.
        Assert.Equal(DdError.None, reader.TryRead(KeyFramePacket(SpecL1T3(offset: 0), 2, 100), out info));
        Assert.True(info.HasStructure);
        Assert.Equal(1, info.TemporalId);
        Assert.Equal(10, reader.Structure.TemplateIdOffset);
    }

    [Fact]
    public void A_structure_that_fails_to_parse_leaves_the_kept_one()
    {
        var reader = ReaderWith(SpecL1T3());
        var kept = reader.Structure;
        var cut = KeyFramePacket(SpecL1T3(offset: 20), 0, 300);
        Assert.Equal(DdError.TruncatedTemplateChains, reader.TryRead(cut.AsSpan(0, cut.Length - 2), out _));
        Assert.Same(kept, reader.Structure);
        Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(true, true, 3, 301), out var info));
        Assert.Equal(2, info.TemporalId);
    }

    // L2T1-like: two spatial layers, one template each (S0 key, S1), two decode targets, two chains, resolutions.
    private static Structure L2T1WithResolutions() => new(0, 2,
    [
        new(2, [Dti.Switch, Dti.Switch], [], [0, 0]),
        new(3, [Dti.NotPresent, Dti.Switch], [1], [1, 1]),
    ], 2, [0, 1], [(320, 180), (640, 360)]);

    [Fact]
    public void Spatial_layers_and_render_resolutions()
    {
        var reader = ReaderWith(L2T1WithResolutions());
        var s = reader.Structure!;
        Assert.Equal(1, s.MaxSpatialId);
        Assert.Equal(0, s.MaxTemporalId);
        Assert.Equal(2, s.ChainCount);
        Assert.Equal(new[] { 0, 1 }, new[] { s.ProtectedBy(0), s.ProtectedBy(1) });
        Assert.Equal(new byte[] { 0, 1 }, new[] { s.DecodeTargetSpatialId(0), s.DecodeTargetSpatialId(1) });
        Assert.True(s.HasResolutions);
        Assert.True(s.TryGetResolution(0, out var w, out var h));
        Assert.Equal((320, 180), (w, h));
        Assert.True(s.TryGetResolution(1, out w, out h));
        Assert.Equal((640, 360), (w, h));
        Assert.False(s.TryGetResolution(2, out _, out _));

        Assert.Equal(DdError.None, reader.TryRead(MandatoryOnly(false, true, 1, 101), out var info));
        Assert.Equal((1, 0), (info.SpatialId, info.TemporalId));

        var full = KeyFramePacket(L2T1WithResolutions());
        Assert.Equal(DdError.TruncatedResolutions, new DependencyDescriptorReader().TryRead(full.AsSpan(0, full.Length - 1), out _));
    }

    // --- custom per-frame fields -------------------------------------------------------------------------------

    [Fact]
    public void A_packet_with_custom_dtis_fdiffs_and_chains_parses()
    {
        var reader = ReaderWith(SpecL1T3());
        var w = Mandatory(true, false, 3, 150).Flags(dtis: true, fdiffs: true, chains: true);
        w.Bits((ulong)Dti.Required, 2).Bits((ulong)Dti.Switch, 2).Bits((ulong)Dti.NotPresent, 2);   // frame_dtis
        w.Bits(1, 2).Bits(5 - 1, 4)                // fdiff 5 in 4 bits
         .Bits(2, 2).Bits(130 - 1, 8)              // fdiff 130 in 8 bits
         .Bits(3, 2).Bits(1000 - 1, 12)            // fdiff 1000 in 12 bits
         .Bits(0, 2);                              // no more
        w.Bits(7, 8);                              // frame_chain_fdiff for the one chain
        var usedBits = w.BitCount;
        var packet = w.ToArray();                  // zero padding to a whole byte

        Assert.Equal(DdError.None, reader.TryRead(packet, out var info));
        Assert.Equal(2, info.TemporalId);
        Assert.Equal(150, info.FrameNumber);
        Assert.Equal(new[] { Dti.Required, Dti.Switch, Dti.NotPresent }, Enumerable.Range(0, 3).Select(info.Dti));
        Assert.Equal(-1, info.ActiveDecodeTargetsBitmask);
        Assert.Equal(usedBits, info.UsedBits);     // every custom field was read at its own width

        // Extra zero padding bytes are ignored too.
        Assert.Equal(DdError.None, reader.TryRead([.. packet, 0, 0], out var padded));
        Assert.Equal(info, padded);
    }

    [Fact]
    public void Custom_fdiffs_only_parse_with_template_dtis()
    {
        var reader = ReaderWith(SpecL1T3());
        var packet = Mandatory(true, true, 2, 151).Flags(fdiffs: true).Bits(1, 2).Bits(1, 4).Bits(0, 2).ToArray();
        Assert.Equal(DdError.None, reader.TryRead(packet, out var info));
        Assert.Equal(24 + 5 + 8, info.UsedBits);
        Assert.Equal(1, info.TemporalId);
        Assert.Equal(reader.Structure!.Dtis(2), info.Dtis);
    }

    // --- bit reader --------------------------------------------------------------------------------------------

    [Theory]
    // ns(5) per the table in A.8.2: 0 00, 1 01, 2 10, 3 110, 4 111
    [InlineData("00", 0, 2)]
    [InlineData("40", 1, 2)]
    [InlineData("80", 2, 2)]
    [InlineData("c0", 3, 3)]
    [InlineData("e0", 4, 3)]
    public void Ns_reads_the_spec_table(string hex, uint value, int bits)
    {
        var r = new DdBitReader(Hex(hex));
        Assert.Equal(value, r.ReadNs(5));
        Assert.Equal(bits, r.Position);
        Assert.False(r.Overflow);
        Assert.Equal(hex, Convert.ToHexString(new BitWriter().Ns(5, value).ToArray()).ToLowerInvariant());
    }

    [Fact]
    public void Bit_reader_reads_across_bytes_and_stops_at_the_end()
    {
        var r = new DdBitReader(Hex("a5 f0 0f"));
        Assert.Equal(0b101u, r.ReadBits(3));
        Assert.Equal(0b0_0101_1111u, r.ReadBits(9));
        Assert.Equal(0u, r.ReadNs(1));               // ns(1) reads no bits
        Assert.Equal(12, r.Position);
        Assert.Equal(0x00Fu, r.ReadBits(12));
        Assert.False(r.Overflow);
        Assert.Equal(0u, r.ReadBits(1));
        Assert.True(r.Overflow);
        Assert.Equal(24, r.Position);
    }

    // --- fuzz --------------------------------------------------------------------------------------------------

    private static void CheckRead(DependencyDescriptorReader reader, byte[] p)
    {
        if (reader.TryRead(p, out var info) != DdError.None) return;
        Assert.InRange(info.UsedBits, 24, p.Length * 8);
        var s = reader.Structure!;
        Assert.InRange(s.TemplateCount, 1, DependencyDescriptorStructure.MaxTemplates);
        Assert.InRange(s.DecodeTargetCount, 1, DependencyDescriptorStructure.MaxDecodeTargets);
        Assert.InRange(s.ChainCount, 0, s.DecodeTargetCount);
        for (var t = 0; t < s.TemplateCount; t++)
        {
            Assert.InRange(s.SpatialId(t), 0, s.MaxSpatialId);
            Assert.InRange(s.TemporalId(t), 0, s.MaxTemporalId);
            foreach (var f in s.Fdiffs(t)) Assert.InRange(f, 1, 16);
            for (var c = 0; c < s.ChainCount; c++) Assert.InRange(s.ChainFdiff(t, c), 0, 15);
        }
        for (var dt = 0; dt < s.DecodeTargetCount; dt++)
        {
            Assert.InRange(s.ProtectedBy(dt), -1, s.ChainCount - 1);
            s.DecodeTargetSpatialId(dt);
            info.Dti(dt);
        }
        for (var sid = 0; sid <= s.MaxSpatialId + 1; sid++) s.TryGetResolution(sid, out _, out _);
    }

    [Property(MaxTest = 2000)]
    public void Random_bytes_never_throw(byte[] p)
    {
        p ??= [];
        CheckRead(new DependencyDescriptorReader(), p);
        var reader = new DependencyDescriptorReader();
        reader.TryRead(Hex(ChromeL1T3KeyFrame), out _);
        CheckRead(reader, p);
    }

    [Property(MaxTest = 2000)]
    public void Mutated_chrome_key_frames_never_throw(int[] positions, byte[] values, bool truncate)
    {
        var p = Hex(ChromeL1T3KeyFrame);
        positions ??= [];
        values ??= [];
        for (var i = 0; i < Math.Min(positions.Length, values.Length); i++)
            p[(int)((uint)positions[i] % (uint)p.Length)] = values[i];
        if (truncate && positions.Length > 0) p = p[..(int)((uint)positions[0] % (uint)p.Length)];
        CheckRead(new DependencyDescriptorReader(), p);
    }

    // --- allocation --------------------------------------------------------------------------------------------

    [Fact]
    public void Ordinary_packets_do_not_allocate()
    {
        var reader = ReaderWith(SpecL1T3());
        var mandatory = new[] { MandatoryOnly(true, true, 0, 1), MandatoryOnly(true, true, 3, 2), MandatoryOnly(true, false, 2, 3) };
        var custom = Mandatory(true, false, 4, 4).Flags(active: true, dtis: true, fdiffs: true, chains: true)
            .Bits(0b011, 3).Bits(0b111001, 6).Bits(2, 2).Bits(9, 8).Bits(0, 2).Bits(1, 8).ToArray();
        Assert.Equal(DdError.None, reader.TryRead(custom, out _));
        Assert.Equal(DdError.None, reader.TryRead(mandatory[0], out _));   // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0;
        for (var i = 0; i < 1000; i++)
        {
            reader.TryRead(mandatory[i % 3], out var info);
            sum += info.TemporalId;
        }
        for (var i = 0; i < 1000; i++)
        {
            reader.TryRead(custom, out var info);
            sum += info.TemporalId;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(333 * 2 + 333 * 1 + 1000 * 2, sum);   // 334 T0, 333 T2, 333 T1; then 1000 T2
    }
}
