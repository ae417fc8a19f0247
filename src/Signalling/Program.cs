// AkkaSfu server: the conference page, protoo WebSocket signalling and the broadcaster HTTP API on one port.
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Metrics;
using AkkaSfu.Signalling.WebSockets;
using Prometheus;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
    builder.WebHost.UseUrls("http://localhost:5000");

builder.Services.AddSingleton<SfuHost>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SfuHost>());
builder.Services.AddSingleton<IRoomDirectory>(sp => sp.GetRequiredService<SfuHost>().Rooms);
builder.Services.AddSingleton(sp => new SfuMetrics(sp.GetRequiredService<SfuHost>().Workers));

var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(60) });
app.UseProtoo();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapBroadcasters();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapMetrics("/metrics", app.Services.GetRequiredService<SfuMetrics>().Registry);
app.Run();

/// <summary>Marker so tests can reference the entry assembly.</summary>
public partial class Program;
