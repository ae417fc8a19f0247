namespace AkkaSfu.Signalling.Tests;

public class ServerTests
{
    [Fact]
    public async Task Serves_the_page_at_the_root()
    {
        await using var server = await ServerProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var response = await http.GetAsync("/");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>AkkaSfu</title>", await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
    }
}
