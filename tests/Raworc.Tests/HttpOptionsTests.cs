using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Raworc.Mcp;

namespace Raworc.Tests;

/// <summary>
/// The HTTP host builds server options anew (stateless: per request) and post-configures each one by adding filters.
/// Options built from the same RaworcServer must not share filter lists, or each build grows them for every later
/// request (a filter chain one link longer per request) and concurrent requests race on them.
/// </summary>
public sealed class HttpOptionsTests
{
    [Fact]
    public void Each_options_build_gets_filter_lists_of_its_own()
    {
        var home = Directory.CreateTempSubdirectory("raworc-home-");
        try
        {
            var configuration = ServerConfiguration.Load(_ => null, home.FullName);
            using var raworc = new RaworcServer(configuration, NullLoggerFactory.Instance);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddMcpServer(raworc.ApplyTo).WithHttpTransport(o => o.Stateless = true);
            using var provider = services.BuildServiceProvider();
            var factory = provider.GetRequiredService<IOptionsFactory<McpServerOptions>>();

            var first = factory.Create(Options.DefaultName);
            var later = Enumerable.Range(0, 5).Select(_ => factory.Create(Options.DefaultName)).Last();

            Assert.NotSame(first.Filters, later.Filters);
            Assert.NotSame(raworc.Options.Filters, later.Filters);
#pragma warning disable MCPEXP002 // experimental list, but the one the host's post-configuration inserts into

            Assert.Equal(first.Filters.Request.CallToolWithAlternateFilters.Count, later.Filters.Request.CallToolWithAlternateFilters.Count);
            Assert.Equal(first.Filters.Request.CallToolFilters.Count, later.Filters.Request.CallToolFilters.Count);
            Assert.Equal(raworc.Options.Filters.Message.IncomingFilters, later.Filters.Message.IncomingFilters);
            Assert.Empty(raworc.Options.Filters.Request.CallToolWithAlternateFilters);
#pragma warning restore MCPEXP002
            Assert.Same(raworc.Options.Handlers.CallToolHandler, later.Handlers.CallToolHandler);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
