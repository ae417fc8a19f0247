namespace AkkaSfu.Signalling.Auth;

/// <summary>What a protoo peer's token granted (every grant when auth is off), and where its refused requests
/// are counted.</summary>
public sealed record PeerGrants(Grant Grants, AuthRefusals? Refusals)
{
    public static readonly PeerGrants Open = new(Grant.All, null);
}
