// Outcomes of SRTP/SRTCP protect and unprotect (RFC 3711 §3.3, §3.4; RFC 7714 §8–9). Count them, don't throw.
namespace AkkaSfu.Media.Srtp;

/// <summary>Why an SRTP/SRTCP operation did not produce a packet. <see cref="None"/> = success.</summary>
public enum SrtpError : byte
{
    /// <summary>Success.</summary>
    None = 0,
    /// <summary>Shorter than the header (plus trailer when unprotecting), or header fields run past the end.</summary>
    TooShort,
    /// <summary>RTP/RTCP version is not 2.</summary>
    BadVersion,
    /// <summary>Authentication tag did not verify (or AEAD decryption failed). The buffer content is undefined.</summary>
    AuthFailed,
    /// <summary>This packet index was already accepted.</summary>
    Replayed,
    /// <summary>Index is behind the replay window, or the ROC guess fell below 0.</summary>
    TooOld,
    /// <summary>The session has no cipher for this profile.</summary>
    UnknownProfile,
    /// <summary>The buffer has no room for the SRTP trailer, or length exceeds the buffer.</summary>
    BufferTooSmall,
    /// <summary>The SRTCP index (31 bits) or the ROC (32 bits) is exhausted: rekey.</summary>
    IndexExhausted,
    /// <summary>A new SSRC would exceed <see cref="SrtpSession.MaxStreams"/>.</summary>
    TooManyStreams,
}
