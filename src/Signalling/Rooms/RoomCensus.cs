using Akka.Actor;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>Why a room was not opened.</summary>
public enum RoomRefusal : byte
{
    /// <summary>The node hosts <see cref="RoomSettings.MaxRoomsPerNode"/> rooms.</summary>
    Rooms,
    /// <summary>The node keeps <see cref="RoomSettings.MaxEmptyRooms"/> rooms with no member, and the new room
    /// was not opened by a protoo peer.</summary>
    EmptyRooms,
}

/// <summary>The rooms of one node, counted by the rooms themselves (an Akka extension: one per actor system,
/// so a single node's local rooms and a clustered node's shard entities count alike): how many there are, how
/// many have no member, and what was refused or closed for being empty. Thread-safe; only rooms call the
/// mutators.</summary>
public sealed class RoomCensus : IExtension
{
    private readonly object _gate = new();
    private int _rooms, _empty;
    private long _refusedRooms, _refusedEmpty, _closedEmpty;

    public static RoomCensus Get(ActorSystem system) => system.WithExtension<RoomCensus, RoomCensusProvider>();

    /// <summary>A room about to open: admitted (counted, as an empty room) or refused (counted by reason).
    /// <paramref name="byPeer"/>: a protoo peer opens it (it is not refused for empty rooms).</summary>
    public RoomRefusal? Admit(bool byPeer, RoomSettings limits)
    {
        lock (_gate)
        {
            if (_rooms >= limits.MaxRoomsPerNode)
            {
                _refusedRooms++;
                return RoomRefusal.Rooms;
            }
            if (!byPeer && _empty >= limits.MaxEmptyRooms)
            {
                _refusedEmpty++;
                return RoomRefusal.EmptyRooms;
            }
            _rooms++;
            _empty++;
            return null;
        }
    }

    /// <summary>An admitted room gained its first member (<paramref name="empty"/> false) or lost its last.</summary>
    public void SetEmpty(bool empty)
    {
        lock (_gate) _empty += empty ? 1 : -1;
    }

    /// <summary>An admitted room closed because it stayed empty.</summary>
    public void ClosedEmpty()
    {
        lock (_gate) _closedEmpty++;
    }

    /// <summary>An admitted room stopped; <paramref name="wasEmpty"/> as last reported.</summary>
    public void Stopped(bool wasEmpty)
    {
        lock (_gate)
        {
            _rooms--;
            if (wasEmpty) _empty--;
        }
    }

    public sealed record Counts(int Rooms, int EmptyRooms, long RefusedRooms, long RefusedEmptyRooms, long ClosedEmpty);

    public Counts Read()
    {
        lock (_gate) return new(_rooms, _empty, _refusedRooms, _refusedEmpty, _closedEmpty);
    }

    private sealed class RoomCensusProvider : ExtensionIdProvider<RoomCensus>
    {
        public override RoomCensus CreateExtension(ExtendedActorSystem system) => new();
    }
}
