// Dependency Descriptor RTP header extension (AV1 RTP spec, Appendix A; syntax A.8.2, semantics A.8.3).
// URI https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension
//
//   dependency_descriptor(sz):
//     mandatory (always, 3 bytes):  |S|E| template_id(6) | frame_number(16) |
//     extended (only when sz > 3):  |structure_present|active_dt_present|custom_dtis|custom_fdiffs|custom_chains|
//                                   [template_dependency_structure] [active_decode_targets_bitmask f(DtCnt)]
//     frame_dependency_definition:  [frame_dtis 2 bits x DtCnt] [frame_fdiffs: (size(2), f(4*size))*, 0(2)]
//                                   [frame_chains 8 bits x chain_cnt]
//     zero_padding to sz * 8 bits (ignored).
//
//   template_dependency_structure:
//     template_id_offset f(6), dt_cnt_minus_one f(5),
//     template_layers: next_layer_idc f(2) per template until 3 (0 same, 1 temporal+1, 2 spatial+1 / temporal 0),
//     template_dtis f(2) x DtCnt per template, template_fdiffs: (1, fdiff_minus_one f(4))* 0 per template,
//     template_chains: chain_cnt ns(DtCnt+1), then if > 0: protected_by ns(chain_cnt) x DtCnt and
//                      chain_fdiff f(4) x chain_cnt per template,
//     resolutions_present_flag f(1), then (width-1 f(16), height-1 f(16)) per spatial id 0..MaxSpatialId.
//
// Bits are read high to low. ns(n) is the non-symmetric code of A.8.2.
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Codecs;

/// <summary>Why a Dependency Descriptor did not parse. Each Truncated* names the part that ran past the extension.</summary>
public enum DdError : byte
{
    None = 0,
    /// <summary>The extension is empty.</summary>
    Empty,
    /// <summary>Fewer than the 3 bytes of mandatory fields.</summary>
    TruncatedMandatoryFields,
    /// <summary>template_id_offset or dt_cnt_minus_one is cut short.</summary>
    TruncatedStructureHeader,
    /// <summary>The next_layer_idc list ends before its terminating 3.</summary>
    TruncatedTemplateLayers,
    /// <summary>More than <see cref="DependencyDescriptorStructure.MaxTemplates"/> templates.</summary>
    TooManyTemplates,
    /// <summary>The template DTIs are cut short.</summary>
    TruncatedTemplateDtis,
    /// <summary>The template fdiffs are cut short.</summary>
    TruncatedTemplateFdiffs,
    /// <summary>chain_cnt, decode_target_protected_by or the template chain fdiffs are cut short.</summary>
    TruncatedTemplateChains,
    /// <summary>resolutions_present_flag or the render resolutions are cut short.</summary>
    TruncatedResolutions,
    /// <summary>active_decode_targets_bitmask is cut short.</summary>
    TruncatedActiveDecodeTargets,
    /// <summary>No template dependency structure has been received yet, and this packet carries none.</summary>
    NoStructure,
    /// <summary>frame_dependency_template_id names no template of the structure (A.8.3: a newer structure was
    /// probably lost).</summary>
    UnknownTemplate,
    /// <summary>custom_dtis_flag set but the frame DTIs are cut short.</summary>
    TruncatedCustomDtis,
    /// <summary>custom_fdiffs_flag set but the frame fdiffs are cut short.</summary>
    TruncatedCustomFdiffs,
    /// <summary>custom_chains_flag set but the frame chain fdiffs are cut short.</summary>
    TruncatedCustomChains,
}

/// <summary>Decode Target Indication (A.8.3, Table A.1).</summary>
public enum DecodeTargetIndication : byte
{
    /// <summary>No payload for this decode target.</summary>
    NotPresent = 0,
    /// <summary>Present and discardable.</summary>
    Discardable = 1,
    /// <summary>Present, and a switch to this decode target is possible here.</summary>
    Switch = 2,
    /// <summary>Present and required.</summary>
    Required = 3,
}

/// <summary>
/// A template dependency structure (A.8.2 template_dependency_structure). Immutable; allocated once per key frame
/// that carries one.
/// </summary>
public sealed class DependencyDescriptorStructure
{
    /// <summary>Most templates accepted; frame_dependency_template_id is 6 bits, so more could not be named.</summary>
    public const int MaxTemplates = 64;
    /// <summary>Most decode targets (dt_cnt_minus_one is 5 bits).</summary>
    public const int MaxDecodeTargets = 32;

    private readonly byte[] _spatialIds, _temporalIds;
    private readonly ulong[] _dtis;            // 2 bits per decode target, decode target 0 in the low bits
    private readonly int[] _fdiffStart;        // template i's fdiffs are _fdiffs[_fdiffStart[i].._fdiffStart[i+1]]
    private readonly byte[] _fdiffs;
    private readonly byte[] _chainFdiffs;      // TemplateCount x ChainCount, row per template
    private readonly byte[] _protectedBy;      // per decode target; empty when ChainCount is 0
    private readonly byte[] _dtSpatialIds, _dtTemporalIds;
    private readonly int[]? _resolutions;      // width, height per spatial id

    private DependencyDescriptorStructure(int templateIdOffset, int decodeTargetCount, int chainCount,
        int maxSpatialId, int maxTemporalId, byte[] spatialIds, byte[] temporalIds, ulong[] dtis, int[] fdiffStart,
        byte[] fdiffs, byte[] chainFdiffs, byte[] protectedBy, byte[] dtSpatialIds, byte[] dtTemporalIds,
        int[]? resolutions)
    {
        TemplateIdOffset = templateIdOffset; DecodeTargetCount = decodeTargetCount; ChainCount = chainCount;
        MaxSpatialId = maxSpatialId; MaxTemporalId = maxTemporalId;
        _spatialIds = spatialIds; _temporalIds = temporalIds; _dtis = dtis; _fdiffStart = fdiffStart; _fdiffs = fdiffs;
        _chainFdiffs = chainFdiffs; _protectedBy = protectedBy; _dtSpatialIds = dtSpatialIds;
        _dtTemporalIds = dtTemporalIds; _resolutions = resolutions;
    }

    /// <summary>template_id_offset: the frame_dependency_template_id of template index 0.</summary>
    public int TemplateIdOffset { get; }
    /// <summary>DtCnt, 1-32.</summary>
    public int DecodeTargetCount { get; }
    /// <summary>TemplateCnt, 1-64.</summary>
    public int TemplateCount => _spatialIds.Length;
    /// <summary>chain_cnt, 0-DtCnt.</summary>
    public int ChainCount { get; }
    /// <summary>MaxSpatialId of template_layers.</summary>
    public int MaxSpatialId { get; }
    /// <summary>MaxTemporalId of template_layers.</summary>
    public int MaxTemporalId { get; }
    /// <summary>resolutions_present_flag.</summary>
    public bool HasResolutions => _resolutions is not null;
    /// <summary>All decode targets active: (1 &lt;&lt; DtCnt) - 1, the bitmask a new structure implies.</summary>
    public long AllDecodeTargetsMask => (1L << DecodeTargetCount) - 1;

    /// <summary>Template index for <paramref name="templateId"/> ((id - offset) mod 64), or -1 when no template has
    /// that id.</summary>
    public int TemplateIndex(int templateId)
    {
        var index = (templateId - TemplateIdOffset) & 63;
        return index < TemplateCount ? index : -1;
    }

    /// <summary>TemplateSpatialId of template <paramref name="templateIndex"/>.</summary>
    public byte SpatialId(int templateIndex) => _spatialIds[templateIndex];
    /// <summary>TemplateTemporalId of template <paramref name="templateIndex"/>.</summary>
    public byte TemporalId(int templateIndex) => _temporalIds[templateIndex];
    /// <summary>template_dti of template <paramref name="templateIndex"/>, 2 bits per decode target, decode target 0
    /// in the low bits.</summary>
    public ulong Dtis(int templateIndex) => _dtis[templateIndex];
    /// <summary>template_dti[templateIndex][decodeTarget].</summary>
    public DecodeTargetIndication Dti(int templateIndex, int decodeTarget) =>
        (DecodeTargetIndication)((_dtis[templateIndex] >> (2 * decodeTarget)) & 3);
    /// <summary>TemplateFdiff of template <paramref name="templateIndex"/> (each 1-16).</summary>
    public ReadOnlySpan<byte> Fdiffs(int templateIndex) =>
        _fdiffs.AsSpan(_fdiffStart[templateIndex], _fdiffStart[templateIndex + 1] - _fdiffStart[templateIndex]);
    /// <summary>template_chain_fdiff[templateIndex][chain] (0-15).</summary>
    public byte ChainFdiff(int templateIndex, int chain) => _chainFdiffs[templateIndex * ChainCount + chain];
    /// <summary>decode_target_protected_by[decodeTarget], or -1 without chains.</summary>
    public int ProtectedBy(int decodeTarget) => ChainCount == 0 ? -1 : _protectedBy[decodeTarget];
    /// <summary>DecodeTargetSpatialId (decode_target_layers).</summary>
    public byte DecodeTargetSpatialId(int decodeTarget) => _dtSpatialIds[decodeTarget];
    /// <summary>DecodeTargetTemporalId (decode_target_layers).</summary>
    public byte DecodeTargetTemporalId(int decodeTarget) => _dtTemporalIds[decodeTarget];

    /// <summary>Max render width and height of <paramref name="spatialId"/>; false without resolutions or out of
    /// range.</summary>
    public bool TryGetResolution(int spatialId, out int width, out int height)
    {
        width = height = 0;
        if (_resolutions is null || (uint)spatialId > (uint)MaxSpatialId) return false;
        width = _resolutions[2 * spatialId];
        height = _resolutions[2 * spatialId + 1];
        return true;
    }

    /// <summary>Reads template_dependency_structure() at the reader's position. Allocates the structure only once
    /// the template count is known.</summary>
    internal static DdError Read(ref DdBitReader r, out DependencyDescriptorStructure? structure)
    {
        structure = null;
        var offset = (int)r.ReadBits(6);
        var dtCnt = (int)r.ReadBits(5) + 1;
        if (r.Overflow) return DdError.TruncatedStructureHeader;

        // template_layers()
        Span<byte> sids = stackalloc byte[MaxTemplates];
        Span<byte> tids = stackalloc byte[MaxTemplates];
        int count = 0, sid = 0, tid = 0, maxTid = 0;
        while (true)
        {
            if (count == MaxTemplates) return DdError.TooManyTemplates;
            sids[count] = (byte)sid;
            tids[count] = (byte)tid;
            count++;
            var idc = r.ReadBits(2);
            if (r.Overflow) return DdError.TruncatedTemplateLayers;
            if (idc == 3) break;
            if (idc == 1) { tid++; if (tid > maxTid) maxTid = tid; }
            else if (idc == 2) { tid = 0; sid++; }
        }
        var maxSid = sid;

        // template_dtis()
        var dtis = new ulong[count];
        for (var t = 0; t < count; t++)
        {
            ulong v = 0;
            for (var dt = 0; dt < dtCnt; dt++) v |= (ulong)r.ReadBits(2) << (2 * dt);
            dtis[t] = v;
        }
        if (r.Overflow) return DdError.TruncatedTemplateDtis;

        // template_fdiffs(): count first on a copy of the reader, then fill.
        var probe = r;
        var total = 0;
        for (var t = 0; t < count && !probe.Overflow; t++)
            while (probe.ReadBits(1) == 1) { probe.ReadBits(4); total++; }
        if (probe.Overflow) return DdError.TruncatedTemplateFdiffs;
        var fdiffStart = new int[count + 1];
        var fdiffs = total == 0 ? Array.Empty<byte>() : new byte[total];
        var n = 0;
        for (var t = 0; t < count; t++)
        {
            fdiffStart[t] = n;
            while (r.ReadBits(1) == 1) fdiffs[n++] = (byte)(r.ReadBits(4) + 1);
        }
        fdiffStart[count] = n;

        // template_chains()
        var chainCnt = (int)r.ReadNs((uint)dtCnt + 1);
        byte[] protectedBy = [], chainFdiffs = [];
        if (chainCnt > 0)
        {
            protectedBy = new byte[dtCnt];
            for (var dt = 0; dt < dtCnt; dt++) protectedBy[dt] = (byte)r.ReadNs((uint)chainCnt);
            chainFdiffs = new byte[count * chainCnt];
            for (var i = 0; i < chainFdiffs.Length; i++) chainFdiffs[i] = (byte)r.ReadBits(4);
        }
        if (r.Overflow) return DdError.TruncatedTemplateChains;

        // decode_target_layers(): derived, reads nothing.
        var dtSids = new byte[dtCnt];
        var dtTids = new byte[dtCnt];
        for (var dt = 0; dt < dtCnt; dt++)
        {
            byte s = 0, tt = 0;
            for (var t = 0; t < count; t++)
            {
                if (((dtis[t] >> (2 * dt)) & 3) == 0) continue;
                if (sids[t] > s) s = sids[t];
                if (tids[t] > tt) tt = tids[t];
            }
            dtSids[dt] = s;
            dtTids[dt] = tt;
        }

        // resolutions_present_flag, render_resolutions()
        int[]? resolutions = null;
        var hasResolutions = r.ReadBits(1) == 1;
        if (hasResolutions)
        {
            resolutions = new int[2 * (maxSid + 1)];
            for (var i = 0; i < resolutions.Length; i++) resolutions[i] = (int)r.ReadBits(16) + 1;
        }
        if (r.Overflow) return DdError.TruncatedResolutions;

        structure = new DependencyDescriptorStructure(offset, dtCnt, chainCnt, maxSid, maxTid,
            sids[..count].ToArray(), tids[..count].ToArray(), dtis, fdiffStart, fdiffs, chainFdiffs, protectedBy,
            dtSids, dtTids, resolutions);
        return DdError.None;
    }
}

/// <summary>What one packet's Dependency Descriptor says about its frame.</summary>
public readonly struct DependencyDescriptorInfo
{
    internal DependencyDescriptorInfo(bool startOfFrame, bool endOfFrame, byte templateId, ushort frameNumber,
        byte spatialId, byte temporalId, bool hasStructure, long activeDecodeTargetsBitmask, ulong dtis, int usedBits)
    {
        StartOfFrame = startOfFrame; EndOfFrame = endOfFrame; TemplateId = templateId; FrameNumber = frameNumber;
        SpatialId = spatialId; TemporalId = temporalId; HasStructure = hasStructure;
        ActiveDecodeTargetsBitmask = activeDecodeTargetsBitmask; Dtis = dtis;
        UsedBits = (ushort)usedBits;
    }

    /// <summary>start_of_frame: the payload begins a frame.</summary>
    public bool StartOfFrame { get; }
    /// <summary>end_of_frame: the last packet of its frame.</summary>
    public bool EndOfFrame { get; }
    /// <summary>frame_dependency_template_id as sent (0-63).</summary>
    public byte TemplateId { get; }
    /// <summary>frame_number (wraps at 2^16; compare with <see cref="SeqNum"/>).</summary>
    public ushort FrameNumber { get; }
    /// <summary>FrameSpatialId, from the template.</summary>
    public byte SpatialId { get; }
    /// <summary>FrameTemporalId, from the template.</summary>
    public byte TemporalId { get; }
    /// <summary>The packet carried a template dependency structure (the first packet of a key frame).</summary>
    public bool HasStructure { get; }
    /// <summary>active_decode_targets_bitmask (bit i = decode target i) when this packet sets it: sent explicitly,
    /// or implied as all decode targets by a structure. -1 when the packet says nothing about it.</summary>
    public long ActiveDecodeTargetsBitmask { get; }
    /// <summary>The frame's DTIs (custom ones if sent, else the template's), 2 bits per decode target, decode target
    /// 0 in the low bits.</summary>
    public ulong Dtis { get; }

    /// <summary>Bits the descriptor used before its zero padding (tests check alignment with it).</summary>
    internal ushort UsedBits { get; }

    /// <summary>The frame's DTI for <paramref name="decodeTarget"/>.</summary>
    public DecodeTargetIndication Dti(int decodeTarget) => (DecodeTargetIndication)((Dtis >> (2 * decodeTarget)) & 3);
}

/// <summary>
/// Reads the Dependency Descriptors of one producer stream, keeping the latest template dependency structure.
/// Owned by one thread. A packet without a new structure allocates nothing.
/// </summary>
public sealed class DependencyDescriptorReader
{
    private DependencyDescriptorStructure? _structure;
    private ushort _structureFrameNumber;

    /// <summary>The structure later packets are read against; null until one arrives.</summary>
    public DependencyDescriptorStructure? Structure => _structure;

    /// <summary>The latest active decode targets: set by a structure (all) or an explicit bitmask; -1 before any
    /// structure.</summary>
    public long ActiveDecodeTargetsBitmask { get; private set; } = -1;

    /// <summary>
    /// Parses one extension value. On success a structure it carries replaces the kept one, unless it comes from a
    /// frame older than the kept structure's (a late retransmission): that packet is still described, against its
    /// own structure, but the newer structure stays. On error nothing is kept. Never throws.
    /// </summary>
    public DdError TryRead(ReadOnlySpan<byte> extension, out DependencyDescriptorInfo info)
    {
        info = default;
        if (extension.IsEmpty) return DdError.Empty;
        if (extension.Length < 3) return DdError.TruncatedMandatoryFields;

        // mandatory_descriptor_fields()
        var b0 = extension[0];
        var startOfFrame = (b0 & 0x80) != 0;
        var endOfFrame = (b0 & 0x40) != 0;
        var templateId = (byte)(b0 & 0x3F);
        var frameNumber = (ushort)((extension[1] << 8) | extension[2]);

        var structure = _structure;
        bool newStructure = false, activePresent = false, customDtis = false, customFdiffs = false, customChains = false;
        long active = -1;
        var r = new DdBitReader(extension, 24);

        // extended_descriptor_fields(); its 5 flags always fit in the 4th byte.
        if (extension.Length > 3)
        {
            var flags = r.ReadBits(5);
            activePresent = (flags & 0x08) != 0;
            customDtis = (flags & 0x04) != 0;
            customFdiffs = (flags & 0x02) != 0;
            customChains = (flags & 0x01) != 0;
            if ((flags & 0x10) != 0)
            {
                var err = DependencyDescriptorStructure.Read(ref r, out structure);
                if (err != DdError.None) return err;
                newStructure = true;
                active = structure!.AllDecodeTargetsMask;
            }
        }

        if (structure is null) return DdError.NoStructure;

        if (activePresent)
        {
            active = r.ReadBits(structure.DecodeTargetCount);
            if (r.Overflow) return DdError.TruncatedActiveDecodeTargets;
        }

        // frame_dependency_definition()
        var index = structure.TemplateIndex(templateId);
        if (index < 0) return DdError.UnknownTemplate;

        var dtis = structure.Dtis(index);
        if (customDtis)
        {
            dtis = 0;
            for (var dt = 0; dt < structure.DecodeTargetCount; dt++) dtis |= (ulong)r.ReadBits(2) << (2 * dt);
            if (r.Overflow) return DdError.TruncatedCustomDtis;
        }
        if (customFdiffs)
        {
            for (var size = r.ReadBits(2); size != 0 && !r.Overflow; size = r.ReadBits(2)) r.ReadBits(4 * (int)size);
            if (r.Overflow) return DdError.TruncatedCustomFdiffs;
        }
        if (customChains)
        {
            for (var c = 0; c < structure.ChainCount; c++) r.ReadBits(8);
            if (r.Overflow) return DdError.TruncatedCustomChains;
        }
        // zero_padding: ignored (A.8.3).

        if (newStructure && (_structure is null || SeqNum.IsNewerOrEqual(frameNumber, _structureFrameNumber)))
        {
            _structure = structure;
            _structureFrameNumber = frameNumber;
            ActiveDecodeTargetsBitmask = active;
        }
        else if (activePresent && ReferenceEquals(structure, _structure))
        {
            ActiveDecodeTargetsBitmask = active;
        }

        info = new DependencyDescriptorInfo(startOfFrame, endOfFrame, templateId, frameNumber,
            structure.SpatialId(index), structure.TemporalId(index), newStructure, active, dtis, Math.Min(r.Position, ushort.MaxValue));
        return DdError.None;
    }
}

/// <summary>Reads f(n) and ns(n) (A.8.2) high bit first. Past the end it returns 0, stops moving and sets
/// <see cref="Overflow"/>, so a caller checks once per syntax section.</summary>
internal ref struct DdBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public DdBitReader(ReadOnlySpan<byte> data, int bitPosition = 0)
    {
        _data = data;
        _pos = bitPosition;
    }

    /// <summary>Set once a read ran past the end.</summary>
    public bool Overflow { get; private set; }
    /// <summary>Bits consumed so far.</summary>
    public readonly int Position => _pos;

    /// <summary>f(n), n from 0 to 32.</summary>
    public uint ReadBits(int n)
    {
        if (Overflow) return 0;
        if (n > _data.Length * 8 - _pos)
        {
            Overflow = true;
            return 0;
        }
        ulong v = 0;
        while (n > 0)
        {
            var bitInByte = _pos & 7;
            var take = Math.Min(8 - bitInByte, n);
            var bits = (_data[_pos >> 3] >> (8 - bitInByte - take)) & ((1 << take) - 1);
            v = (v << take) | (uint)bits;
            _pos += take;
            n -= take;
        }
        return (uint)v;
    }

    /// <summary>ns(n) for n &gt;= 1: a value in 0..n-1.</summary>
    public uint ReadNs(uint n)
    {
        var w = 0;
        for (var x = n; x != 0; x >>= 1) w++;
        var m = (1u << w) - n;
        var v = ReadBits(w - 1);
        if (v < m) return v;
        var extra = ReadBits(1);
        return (v << 1) - m + extra;
    }
}
