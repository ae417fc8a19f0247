namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>A server process (one worker) for each test of a class, with <paramref name="limits"/> inside
/// <c>akkasfu.limits { }</c>: scaled-down limits set by configuration.</summary>
public abstract class LimitsServer(string name, string limits) : IAsyncLifetime
{
    protected ServerProcess Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "1",
            ["akkasfu__hocon"] = $"akkasfu.limits {{ {limits} }}",
        }, name);
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
