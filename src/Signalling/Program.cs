// AkkaSfu server entry point: serves the conference page and (later) protoo signalling on one port.
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
    builder.WebHost.UseUrls("http://localhost:5000");

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapGet("/healthz", () => Results.Text("ok"));
app.Run();

/// <summary>Marker so tests can reference the entry assembly.</summary>
public partial class Program;
