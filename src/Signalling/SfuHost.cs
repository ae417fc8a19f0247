using Akka.Actor;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling;

/// <summary>The node's actor system: workers (one per core, or AKKASFU_WORKERS) and the room directory.
/// Registered as a singleton; stopped with the web host.</summary>
public sealed class SfuHost : IHostedService, IAsyncDisposable
{
    public SfuHost(IConfiguration configuration)
    {
        var overrides = configuration["akkasfu:hocon"] ?? "";
        var config = AkkaSfuConfig.With(overrides);
        System = ActorSystem.Create("akkasfu", config);
        Settings = SfuSettings.Create(config);
        Workers = System.ActorOf(WorkersActor.Props(Settings), "workers");
        var workers = Workers;
        Rooms = new LocalRoomDirectory(System, roomId => RoomActor.Props(roomId, workers));
    }

    public ActorSystem System { get; }
    public SfuSettings Settings { get; }
    public IActorRef Workers { get; }
    public IRoomDirectory Rooms { get; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);

    public async ValueTask DisposeAsync() => await System.Terminate();
}
