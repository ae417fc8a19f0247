using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Actors.Tests.Supervision;

namespace AkkaSfu.Actors.Tests.Rooms;

public class RoomDirectoryTests() : TestKit(AkkaSfuConfig.Default)
{
    [Fact]
    public async Task Rooms_are_created_on_first_use_spread_over_workers_and_closed_by_id()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var rooms = new LocalRoomDirectory(Sys, id => RouterRoomActor.Props(id, bed.Workers));

        var a = await rooms.Ask<RouterCreated>("a", GetRoomRouter.Instance, SfuTestBed.Timeout);
        var again = await rooms.Ask<RouterCreated>("a", GetRoomRouter.Instance, SfuTestBed.Timeout);
        var b = await rooms.Ask<RouterCreated>("b", GetRoomRouter.Instance, SfuTestBed.Timeout);
        Assert.Equal(a.Router, again.Router);
        Assert.NotEqual(a.WorkerIndex, b.WorkerIndex); // least loaded placement

        // Messages other than the room's own go to its router.
        var caps = await rooms.Ask<RtpCapabilities>("a", GetRouterRtpCapabilities.Instance, SfuTestBed.Timeout);
        Assert.Contains(caps.Codecs!, c => c.MimeType == "video/VP8");

        Watch(a.Router);
        rooms.Close("a");
        await ExpectTerminatedAsync(a.Router);
        var fresh = await rooms.Ask<RouterCreated>("a", GetRoomRouter.Instance, SfuTestBed.Timeout);
        Assert.NotEqual(a.Router, fresh.Router);
        rooms.Close("never-opened"); // closing an unknown room creates nothing
    }
}
