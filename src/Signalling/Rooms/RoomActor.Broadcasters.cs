namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>mediasoup-demo's broadcaster HTTP API (signalling.md §7), as room messages.</summary>
    private void ReceiveBroadcasterApi()
    {
    }
}
