// BouncyCastle TLS peers for DTLS 1.2 with use_srtp (RFC 6347, RFC 5764 §4.1, key export RFC 5764 §4.2 /
// RFC 5705). Facts and call order verified against BC 2.7 and Chromium 156: docs/dtls.md §2-5.
using AkkaSfu.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcCertificate = Org.BouncyCastle.Tls.Certificate;

namespace AkkaSfu.Media.Dtls;

/// <summary>What a handshake learned: set by the BC peer callbacks on the handshake thread, read after
/// Accept/Connect returns or throws.</summary>
internal sealed class DtlsHandshakeState
{
    public SrtpProfile Profile;
    public byte[]? KeyingMaterial;
    public DtlsFailure? Failure;
    public string? FailureDetail;
    public volatile bool PeerClosed;
    public short LastAlertReceived = -1;

    public void Fail(DtlsFailure reason, string detail)
    {
        if (Failure is null) { Failure = reason; FailureDetail = detail; }
    }
}

/// <summary>Shared use_srtp, fingerprint and export logic for both roles.</summary>
internal static class DtlsSrtpCommon
{
    /// <summary>ECDHE_ECDSA only: BC picks ECDHE_RSA for an ECDSA key otherwise (docs/dtls.md §2). AES-GCM only, so
    /// every encrypted record is ≥ 24 B (see <see cref="DtlsRecordView.CheckDatagram"/>); Chromium offers both.</summary>
    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ];

    public static BcCertificate Chain(TlsCrypto crypto, DtlsCertificate cert) =>
        new([crypto.CreateCertificate(cert.Der)]);

    public static TlsCredentialedSigner Signer(TlsContext context, TlsCrypto crypto, DtlsCertificate cert) =>
        new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (BcTlsCrypto)crypto, cert.PrivateKey,
            Chain(crypto, cert), SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    /// <summary>Checks the peer's end-entity certificate against the signalled fingerprint; throws
    /// bad_certificate (after recording the failure) on mismatch or absence.</summary>
    public static void CheckPeerCertificate(BcCertificate? chain, DtlsFingerprint expected, DtlsHandshakeState state)
    {
        if (chain is null || chain.IsEmpty)
        {
            state.Fail(DtlsFailure.FingerprintMismatch, "peer sent no certificate");
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
        var der = chain.GetCertificateAt(0).GetEncoded();
        if (!expected.Matches(der))
        {
            var actual = DtlsFingerprint.Compute(DtlsFingerprint.CanonicalAlgorithm(expected.Algorithm) ?? "sha-256", der);
            state.Fail(DtlsFailure.FingerprintMismatch, $"peer certificate {actual} does not match signalled {expected}");
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    /// <summary>Exports 2*(key+salt) bytes with "EXTRACTOR-dtls_srtp"; only valid in NotifyHandshakeComplete.</summary>
    public static void Export(TlsContext context, DtlsHandshakeState state)
    {
        int len = 2 * (state.Profile.KeyLength() + state.Profile.SaltLength());
        state.KeyingMaterial = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, len);
    }

    public static bool IsKnown(int profile) => profile is (int)SrtpProfile.Aes128CmHmacSha1_80
        or (int)SrtpProfile.Aes128CmHmacSha1_32 or (int)SrtpProfile.AeadAes128Gcm or (int)SrtpProfile.AeadAes256Gcm;

    public static void NoteAlert(DtlsHandshakeState state, short level, short description)
    {
        state.LastAlertReceived = description;
        if (description == AlertDescription.close_notify) state.PeerClosed = true;
    }
}

/// <summary>DTLS server (our normal role against browsers): DTLS 1.2 only, ECDHE_ECDSA, requires a client
/// certificate matching the remote fingerprint, picks our first preferred SRTP profile the client offers.</summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private readonly DtlsCertificate _cert;
    private readonly DtlsFingerprint _remote;
    private readonly SrtpProfile[] _profiles;
    private readonly DtlsHandshakeState _state;

    public DtlsSrtpServer(DtlsCertificate cert, DtlsFingerprint remote, SrtpProfile[] profiles, DtlsHandshakeState state)
        : base(new BcTlsCrypto())
    {
        _cert = cert; _remote = remote; _profiles = profiles; _state = state;
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
        TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsSrtpCommon.CipherSuites);

    public override bool RequiresExtendedMasterSecret() => true;

    /// <summary>RFC 6347 §4.1.2.7: drop records that fail to decrypt instead of failing the connection
    /// (one forged datagram must not kill a session).</summary>
    public override bool IgnoreCorruptDtlsRecords => true;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
        DtlsSrtpCommon.Signer(m_context, Crypto, _cert);

    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(BcCertificate clientCertificate) =>
        DtlsSrtpCommon.CheckPeerCertificate(clientCertificate, _remote, _state);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions)?.ProtectionProfiles ?? [];
        foreach (var p in _profiles)
        {
            if (Array.IndexOf(offered, (int)p) >= 0) { _state.Profile = p; return; }
        }
        _state.Fail(DtlsFailure.NoCommonSrtpProfile,
            $"client offered SRTP profiles [{string.Join(",", offered)}], we support [{string.Join(",", _profiles.Select(p => (int)p))}]");
        throw new TlsFatalAlert(AlertDescription.handshake_failure);
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var ext = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(ext, new UseSrtpData([(int)_state.Profile], TlsUtilities.EmptyBytes));
        return ext;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        DtlsSrtpCommon.Export(m_context, _state);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        DtlsSrtpCommon.NoteAlert(_state, alertLevel, alertDescription);
}

/// <summary>DTLS client (when the remote is server, and for the load generator): DTLS 1.2 only, offers our
/// SRTP profiles, checks the server certificate's fingerprint, sends our certificate.</summary>
internal sealed class DtlsSrtpClient : DefaultTlsClient
{
    private readonly DtlsCertificate _cert;
    private readonly DtlsFingerprint _remote;
    private readonly SrtpProfile[] _profiles;
    private readonly DtlsHandshakeState _state;

    public DtlsSrtpClient(DtlsCertificate cert, DtlsFingerprint remote, SrtpProfile[] profiles, DtlsHandshakeState state)
        : base(new BcTlsCrypto())
    {
        _cert = cert; _remote = remote; _profiles = profiles; _state = state;
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
        TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsSrtpCommon.CipherSuites);

    public override bool RequiresExtendedMasterSecret() => true;

    /// <summary>RFC 6347 §4.1.2.7: drop records that fail to decrypt instead of failing the connection
    /// (one forged datagram must not kill a session).</summary>
    public override bool IgnoreCorruptDtlsRecords => true;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var ext = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(ext,
            new UseSrtpData(_profiles.Select(p => (int)p).ToArray(), TlsUtilities.EmptyBytes));
        return ext;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions)?.ProtectionProfiles;
        if (chosen is not { Length: 1 } || Array.IndexOf(_profiles, (SrtpProfile)chosen[0]) < 0 || !DtlsSrtpCommon.IsKnown(chosen[0]))
        {
            _state.Fail(DtlsFailure.NoCommonSrtpProfile,
                chosen is null ? "server did not negotiate use_srtp" : $"server chose SRTP profiles [{string.Join(",", chosen)}]");
            throw new TlsFatalAlert(AlertDescription.illegal_parameter);
        }
        _state.Profile = (SrtpProfile)chosen[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        DtlsSrtpCommon.Export(m_context, _state);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        DtlsSrtpCommon.NoteAlert(_state, alertLevel, alertDescription);

    private sealed class Authentication(DtlsSrtpClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            DtlsSrtpCommon.CheckPeerCertificate(serverCertificate?.Certificate, owner._remote, owner._state);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            DtlsSrtpCommon.Signer(owner.m_context, owner.Crypto, owner._cert);
    }
}
