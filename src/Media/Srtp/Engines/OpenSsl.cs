// OpenSSL 3 (libcrypto.so.3) EVP AES-GCM and HMAC-SHA1 through unmanaged function pointers; contexts reused
// per session key. Loaded once; if the library or a symbol is missing, IsAvailable is false and BCL is used.
using System.Runtime.InteropServices;

namespace AkkaSfu.Media.Srtp.Engines;

internal static unsafe class OpenSsl
{
    private const int EVP_CTRL_GCM_GET_TAG = 0x10;
    private const int EVP_CTRL_GCM_SET_TAG = 0x11;

    /// <summary>Test hook: pretend libcrypto is missing.</summary>
    internal static bool ForceDisabled;

    public static bool IsAvailable => s_loaded && !ForceDisabled;

    private static readonly bool s_loaded;
    internal static readonly delegate* unmanaged<nint> CipherCtxNew;
    internal static readonly delegate* unmanaged<nint, void> CipherCtxFree;
    internal static readonly delegate* unmanaged<nint> Aes128Gcm;
    internal static readonly delegate* unmanaged<nint> Aes256Gcm;
    internal static readonly delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int> CipherInitEx;
    internal static readonly delegate* unmanaged<nint, byte*, int*, byte*, int, int> CipherUpdate;
    internal static readonly delegate* unmanaged<nint, byte*, int*, int> CipherFinalEx;
    internal static readonly delegate* unmanaged<nint, int, int, void*, int> CipherCtxCtrl;
    internal static readonly delegate* unmanaged<nint> HmacCtxNew;
    internal static readonly delegate* unmanaged<nint, void> HmacCtxFree;
    internal static readonly delegate* unmanaged<nint, byte*, int, nint, nint, int> HmacInitEx;
    internal static readonly delegate* unmanaged<nint, byte*, nuint, int> HmacUpdate;
    internal static readonly delegate* unmanaged<nint, byte*, uint*, int> HmacFinal;
    internal static readonly delegate* unmanaged<nint> Sha1;

    static OpenSsl()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libcrypto.so.3", out nint lib)) return;
        try
        {
            CipherCtxNew = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "EVP_CIPHER_CTX_new");
            CipherCtxFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "EVP_CIPHER_CTX_free");
            Aes128Gcm = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "EVP_aes_128_gcm");
            Aes256Gcm = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "EVP_aes_256_gcm");
            CipherInitEx = (delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int>)NativeLibrary.GetExport(lib, "EVP_CipherInit_ex");
            CipherUpdate = (delegate* unmanaged<nint, byte*, int*, byte*, int, int>)NativeLibrary.GetExport(lib, "EVP_CipherUpdate");
            CipherFinalEx = (delegate* unmanaged<nint, byte*, int*, int>)NativeLibrary.GetExport(lib, "EVP_CipherFinal_ex");
            CipherCtxCtrl = (delegate* unmanaged<nint, int, int, void*, int>)NativeLibrary.GetExport(lib, "EVP_CIPHER_CTX_ctrl");
            HmacCtxNew = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "HMAC_CTX_new");
            HmacCtxFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "HMAC_CTX_free");
            HmacInitEx = (delegate* unmanaged<nint, byte*, int, nint, nint, int>)NativeLibrary.GetExport(lib, "HMAC_Init_ex");
            HmacUpdate = (delegate* unmanaged<nint, byte*, nuint, int>)NativeLibrary.GetExport(lib, "HMAC_Update");
            HmacFinal = (delegate* unmanaged<nint, byte*, uint*, int>)NativeLibrary.GetExport(lib, "HMAC_Final");
            Sha1 = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "EVP_sha1");
            s_loaded = true;
        }
        catch (EntryPointNotFoundException)
        {
            s_loaded = false;
        }
    }

    internal static int GetTag => EVP_CTRL_GCM_GET_TAG;
    internal static int SetTag => EVP_CTRL_GCM_SET_TAG;
}

/// <summary>Owns an EVP_CIPHER_CTX*.</summary>
internal sealed unsafe class EvpCipherCtxHandle : SafeHandle
{
    public EvpCipherCtxHandle() : base(0, true) => SetHandle(OpenSsl.CipherCtxNew());
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        OpenSsl.CipherCtxFree(handle);
        return true;
    }
}

/// <summary>Owns an HMAC_CTX*.</summary>
internal sealed unsafe class HmacCtxHandle : SafeHandle
{
    public HmacCtxHandle() : base(0, true) => SetHandle(OpenSsl.HmacCtxNew());
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        OpenSsl.HmacCtxFree(handle);
        return true;
    }
}

/// <summary>AES-GCM on one EVP_CIPHER_CTX keyed once; each packet re-inits only the IV (and direction).</summary>
internal sealed unsafe class OpenSslGcm : GcmCipher
{
    private readonly EvpCipherCtxHandle _ctx;

    public OpenSslGcm(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16 && key.Length != 32) throw new ArgumentException("GCM key must be 16 or 32 bytes", nameof(key));
        _ctx = new EvpCipherCtxHandle();
        if (_ctx.IsInvalid) throw new InvalidOperationException("EVP_CIPHER_CTX_new failed");
        nint cipher = key.Length == 16 ? OpenSsl.Aes128Gcm() : OpenSsl.Aes256Gcm();
        fixed (byte* k = key)
        {
            if (OpenSsl.CipherInitEx(_ctx.DangerousGetHandle(), cipher, 0, k, null, 1) != 1)
                throw new InvalidOperationException("EVP_CipherInit_ex (key) failed");
        }
    }

    public override void Encrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, Span<byte> tag16)
    {
        nint ctx = _ctx.DangerousGetHandle();
        int outl;
        fixed (byte* iv = iv12)
        fixed (byte* a1 = aad1)
        fixed (byte* a2 = aad2)
        fixed (byte* d = data)
        fixed (byte* t = tag16)
        {
            bool ok = OpenSsl.CipherInitEx(ctx, 0, 0, null, iv, 1) == 1
                && OpenSsl.CipherUpdate(ctx, null, &outl, a1, aad1.Length) == 1
                && (aad2.IsEmpty || OpenSsl.CipherUpdate(ctx, null, &outl, a2, aad2.Length) == 1)
                && (data.IsEmpty || OpenSsl.CipherUpdate(ctx, d, &outl, d, data.Length) == 1)
                && OpenSsl.CipherFinalEx(ctx, t, &outl) == 1
                && OpenSsl.CipherCtxCtrl(ctx, OpenSsl.GetTag, 16, t) == 1;
            if (!ok) throw new InvalidOperationException("OpenSSL GCM encrypt failed");
        }
    }

    public override bool Decrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, ReadOnlySpan<byte> tag16)
    {
        nint ctx = _ctx.DangerousGetHandle();
        int outl;
        byte* scratch = stackalloc byte[16];
        fixed (byte* iv = iv12)
        fixed (byte* a1 = aad1)
        fixed (byte* a2 = aad2)
        fixed (byte* d = data)
        fixed (byte* t = tag16)
        {
            if (OpenSsl.CipherInitEx(ctx, 0, 0, null, iv, 0) != 1
                || OpenSsl.CipherUpdate(ctx, null, &outl, a1, aad1.Length) != 1
                || (!aad2.IsEmpty && OpenSsl.CipherUpdate(ctx, null, &outl, a2, aad2.Length) != 1)
                || (!data.IsEmpty && OpenSsl.CipherUpdate(ctx, d, &outl, d, data.Length) != 1)
                || OpenSsl.CipherCtxCtrl(ctx, OpenSsl.SetTag, 16, t) != 1)
                return false;
            return OpenSsl.CipherFinalEx(ctx, scratch, &outl) == 1;
        }
    }

    public override void Dispose() => _ctx.Dispose();
}

/// <summary>HMAC-SHA1 on one HMAC_CTX keyed once; HMAC_Init_ex(ctx, null, ...) restarts from the cached pads.</summary>
internal sealed unsafe class OpenSslHmacSha1 : HmacSha1
{
    private readonly HmacCtxHandle _ctx;

    public OpenSslHmacSha1(ReadOnlySpan<byte> key)
    {
        _ctx = new HmacCtxHandle();
        if (_ctx.IsInvalid) throw new InvalidOperationException("HMAC_CTX_new failed");
        fixed (byte* k = key)
        {
            if (OpenSsl.HmacInitEx(_ctx.DangerousGetHandle(), k, key.Length, OpenSsl.Sha1(), 0) != 1)
                throw new InvalidOperationException("HMAC_Init_ex (key) failed");
        }
    }

    public override void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac20)
    {
        nint ctx = _ctx.DangerousGetHandle();
        uint len;
        fixed (byte* d = data)
        fixed (byte* s = suffix)
        fixed (byte* m = mac20)
        {
            bool ok = OpenSsl.HmacInitEx(ctx, null, 0, 0, 0) == 1
                && OpenSsl.HmacUpdate(ctx, d, (nuint)data.Length) == 1
                && (suffix.IsEmpty || OpenSsl.HmacUpdate(ctx, s, (nuint)suffix.Length) == 1)
                && OpenSsl.HmacFinal(ctx, m, &len) == 1;
            if (!ok) throw new InvalidOperationException("OpenSSL HMAC failed");
        }
    }

    public override void Dispose() => _ctx.Dispose();
}
