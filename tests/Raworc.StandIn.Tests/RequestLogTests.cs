namespace Raworc.StandIn.Tests;

public sealed class RequestLogTests
{
    [Fact]
    public async Task Each_request_is_logged_with_the_account_that_authenticated_it_and_never_the_token()
    {
        var file = Path.Combine(Path.GetTempPath(), $"standin-requests-{Guid.NewGuid():N}.log");
        try
        {
            string adminToken, operatorToken;
            await using (var api = await Api.StartAsync(new StandInOptions { RequestLogPath = file }))
            {
                adminToken = api.Token!;
                Assert.Equal(200, (await api.GetAsync("spaces")).Code);
                operatorToken = await api.LoginAsync("operator", "admin");
                api.Token = operatorToken;
                Assert.Equal(404, (await api.GetAsync("spaces/op-marker")).Code);
                Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "auth/me", authorization: "Bearer not-a-token")).Code);
            }

            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(
                [
                    "POST /api/v0/auth/login 200 account=-",
                    "GET /api/v0/spaces 200 account=admin",
                    "POST /api/v0/auth/login 200 account=-",
                    "GET /api/v0/spaces/op-marker 404 account=operator",
                    "GET /api/v0/auth/me 401 account=-",
                ],
                lines);
            var text = string.Join('\n', lines);
            Assert.DoesNotContain(adminToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(operatorToken, text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
