using System.Text.Json;

namespace Raworc.StandIn;

/// <summary>The routes of the Raworc REST API v0 (server 0.3.0), all under <c>/api/v0</c>.</summary>
internal static class Endpoints
{
    /// <summary>The <c>HttpContext.Items</c> key of the authenticated account (read by <see cref="RequestLog"/>).</summary>
    public const string UserKey = "raworc.user";
    private static StandInJsonContext J => StandInJsonContext.Wire;

    public static void Map(WebApplication app, World w)
    {
        var api = app.MapGroup("/api/v0");
        api.AddEndpointFilter(ErrorFilter);

        // ---- public -------------------------------------------------------------------------------------
        api.MapGet("/health", () => Reply.Empty());
        api.MapGet("/version", () => Reply.Json(new VersionDto { Version = "0.3.0", Api = "v0" }, J.VersionDto));
        api.MapPost("/auth/login", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "LoginRequest");
            var user = body.RequiredString("user");
            var pass = body.RequiredString("pass");
            return w.Locked(() => Login(w, user, pass));
        });

        // ---- protected ----------------------------------------------------------------------------------
        var p = api.MapGroup("");
        p.AddEndpointFilter((ctx, next) => AuthFilter(w, ctx, next));

        p.MapGet("/auth/me", (HttpContext ctx) =>
            Reply.Json(new MeDto { User = Caller(ctx), Namespace = null, Type = "ServiceAccount" }, J.MeDto));

        MapServiceAccounts(p, w);
        MapRoles(p, w);
        MapRoleBindings(p, w);
        MapSpaces(p, w);
        MapSecrets(p, w);
        MapAgents(p, w);
        MapBuilds(p, w);
        MapSessions(p, w);
        MapMessages(p, w);
    }

    private static async ValueTask<object?> ErrorFilter(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        try
        {
            return await next(ctx);
        }
        catch (ApiException e)
        {
            return Reply.Error(e);
        }
        catch (RejectionException e)
        {
            return Reply.Text(e.Status, e.Message);
        }
        catch (Exception) when (!ctx.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Reply.Error(ApiException.Internal());
        }
    }

    /// <summary>The auth middleware: anything short of a live <c>Bearer</c> token is a 401 with an empty body.</summary>
    private static async ValueTask<object?> AuthFilter(World w, EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        string header = http.Request.Headers.Authorization.ToString();
        string? user = null;
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var token = header["Bearer ".Length..];
            lock (w.Gate)
            {
                if (w.Tokens.TryGetValue(token, out var rec))
                {
                    if (w.Now >= rec.ExpiresAt) w.Tokens.Remove(token);
                    else if (w.Accounts.ContainsKey(rec.User)) user = rec.User;
                }
            }
        }
        if (user is null) return Results.StatusCode(401);
        http.Items[UserKey] = user;
        return await next(ctx);
    }

    private static string Caller(HttpContext ctx) => (string)ctx.Items[UserKey]!;

    private static IResult Login(World w, string user, string pass)
    {
        if (!w.Accounts.TryGetValue(user, out var acct) || !acct.Active || acct.Pass != pass)
            throw ApiException.Unauthorized();
        var now = w.Now;
        acct.LastLoginAt = now;
        var expires = now + w.Options.TokenLifetime;
        var token = w.NewToken(user, now, expires);
        w.Tokens[token] = new TokenRec { User = user, ExpiresAt = expires };
        return Reply.Json(new LoginDto { Token = token, TokenType = "Bearer", ExpiresAt = Ts.Precise(expires) }, J.LoginDto);
    }

    // ---- §4.2 service accounts ----------------------------------------------------------------------------

    private static void MapServiceAccounts(RouteGroupBuilder p, World w)
    {
        p.MapGet("/service-accounts", () => w.Locked(() =>
            Reply.Json(w.Accounts.Values.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Seq)
                .Select(a => a.ToDto()).ToList(), J.ListServiceAccountDto)));

        // The real 0.3.0 handler INSERTs into a `space` column that its schema lacks, so it would answer 500
        // DATABASE_ERROR. A stand-in that always fails would be useless: this one behaves as if the schema bug
        // were fixed (`space` accepted and ignored, as everywhere else in 0.3.0).
        p.MapPost("/service-accounts", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateServiceAccountRequest");
            var user = body.RequiredString("user");
            var pass = body.RequiredString("pass");
            _ = body.OptionalString("space");
            var description = body.OptionalString("description");
            return w.Locked(() =>
            {
                if (w.Accounts.ContainsKey(user)) throw ApiException.Conflict("Service account already exists");
                var now = w.Now;
                var acct = new Account { User = user, Pass = pass, Description = description, Active = true, CreatedAt = now, UpdatedAt = now, Seq = w.NextSeq() };
                w.Accounts[user] = acct;
                return Reply.Json(acct.ToDto(fresh: true), J.ServiceAccountDto);
            });
        });

        p.MapGet("/service-accounts/{id}", (string id) => w.Locked(() =>
            Reply.Json(FindAccount(w, id).ToDto(), J.ServiceAccountDto)));

        // Behaves as if the schema bug were fixed: `space` is accepted (and ignored). The real handler also answers
        // with the first account of the list instead of the updated one; this one answers with the updated account.
        p.MapPut("/service-accounts/{id}", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateServiceAccountRequest");
            var space = body.OptionalString("space");
            var description = body.OptionalString("description");
            var active = body.OptionalBool("active");
            return w.Locked(() =>
            {
                var acct = FindAccount(w, id);
                if (space is null && description is null && active is null) throw ApiException.NotFound("Service account not found");
                if (description is not null) acct.Description = description;
                if (active is { } a) acct.Active = a;
                acct.UpdatedAt = w.Now;
                return Reply.Json(acct.ToDto(), J.ServiceAccountDto);
            });
        });

        p.MapDelete("/service-accounts/{id}", (string id) => w.Locked(() =>
        {
            var acct = FindAccount(w, id);
            w.Accounts.Remove(acct.User);
            return Reply.Empty();
        }));

        p.MapPut("/service-accounts/{id}/password", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdatePasswordRequest");
            var current = body.RequiredString("current_password");
            var next = body.RequiredString("new_password");
            return w.Locked(() =>
            {
                var acct = FindAccount(w, id);
                if (acct.Pass != current) throw ApiException.Unauthorized();
                acct.Pass = next;
                acct.UpdatedAt = w.Now;
                return Reply.Empty();
            });
        });
    }

    private static Account FindAccount(World w, string id)
    {
        // A UUID-looking value is looked up by id, and ids are always empty in 0.3.0.
        if (Guid.TryParse(id, out _) || !w.Accounts.TryGetValue(id, out var acct))
            throw ApiException.NotFound("Service account not found");
        return acct;
    }

    // ---- §4.3 roles ---------------------------------------------------------------------------------------

    private static void MapRoles(RouteGroupBuilder p, World w)
    {
        p.MapGet("/roles", () => w.Locked(() =>
            Reply.Json(w.Roles.Values.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Seq)
                .Select(r => r.ToDto()).ToList(), J.ListRoleDto)));

        p.MapPost("/roles", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateRoleRequest");
            var name = body.RequiredString("name");
            var rules = body.RequiredRules("rules");
            var description = body.OptionalString("description");
            return w.Locked(() =>
            {
                if (w.Roles.ContainsKey(name)) throw ApiException.Conflict("Role already exists");
                var role = new RoleRec { Name = name, Rules = rules, Description = description, CreatedAt = w.Now, Seq = w.NextSeq() };
                w.Roles[name] = role;
                return Reply.Json(role.ToDto(fresh: true), J.RoleDto);
            });
        });

        p.MapGet("/roles/{id}", (string id) => w.Locked(() =>
            w.Roles.TryGetValue(id, out var r) ? Reply.Json(r.ToDto(), J.RoleDto) : throw ApiException.NotFound("Role not found")));

        p.MapDelete("/roles/{id}", (string id) => w.Locked(() =>
        {
            if (!w.Roles.Remove(id)) throw ApiException.NotFound("Role not found");
            w.Bindings.RemoveAll(b => b.RoleName == id); // FK cascade
            return Reply.Empty();
        }));
    }

    // ---- §4.4 role bindings -------------------------------------------------------------------------------

    private static void MapRoleBindings(RouteGroupBuilder p, World w)
    {
        p.MapGet("/role-bindings", () => w.Locked(() =>
            Reply.Json(w.Bindings.OrderBy(b => b.Seq).Select(b => b.ToDto()).ToList(), J.ListRoleBindingDto)));

        p.MapPost("/role-bindings", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateRoleBindingRequest");
            var roleName = body.RequiredString("role_name");
            var principal = body.RequiredString("principal");
            var principalType = body.RequiredString("principal_type");
            if (principalType is not ("ServiceAccount" or "Subject"))
                throw new RejectionException(422,
                    $"Failed to deserialize the JSON body into the target type: principal_type: unknown variant `{principalType}`, expected `ServiceAccount` or `Subject`");
            var space = body.OptionalString("space");
            return w.Locked(() =>
            {
                // Unknown role (FK) and duplicates are database errors in the real server, not 404/409.
                if (!w.Roles.ContainsKey(roleName)) throw ApiException.Database();
                if (w.Bindings.Any(b => b.RoleName == roleName && b.Principal == principal && b.Space == space)) throw ApiException.Database();
                var binding = new BindingRec { RoleName = roleName, Principal = principal, PrincipalType = principalType, Space = space, CreatedAt = w.Now, Seq = w.NextSeq() };
                w.Bindings.Add(binding);
                return Reply.Json(binding.ToDto(fresh: true), J.RoleBindingDto);
            });
        });

        p.MapGet("/role-bindings/{id}", (string id) => w.Locked(() =>
        {
            var b = w.Bindings.Where(b => b.RoleName == id && b.Space is null).OrderBy(b => b.Seq).FirstOrDefault()
                ?? throw ApiException.NotFound("Role binding not found");
            return Reply.Json(b.ToDto(), J.RoleBindingDto);
        }));

        p.MapDelete("/role-bindings/{id}", (string id) => w.Locked(() =>
        {
            if (w.Bindings.RemoveAll(b => b.RoleName == id && b.Space is null) == 0) throw ApiException.NotFound("Role binding not found");
            return Reply.Empty();
        }));
    }

    // ---- §4.5 spaces --------------------------------------------------------------------------------------

    private static void MapSpaces(RouteGroupBuilder p, World w)
    {
        p.MapGet("/spaces", () => w.Locked(() =>
            Reply.Json(w.Spaces.Values.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Seq)
                .Select(s => s.ToDto()).ToList(), J.ListSpaceDto)));

        p.MapPost("/spaces", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateSpaceRequest");
            var name = body.RequiredString("name");
            var description = body.OptionalString("description");
            var settings = body.OptionalAny("settings") ?? World.EmptyObject;
            if (!name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.'))
                throw ApiException.BadRequest("Space name must contain only alphanumeric characters, underscores, hyphens, and dots");
            var caller = Caller(ctx);
            return w.Locked(() =>
            {
                if (w.Spaces.ContainsKey(name)) throw ApiException.Conflict("A space with this name already exists");
                var now = w.Now;
                var space = new SpaceRec { Name = name, Description = description, Settings = settings, Active = true, CreatedAt = now, UpdatedAt = now, CreatedBy = caller, Seq = w.NextSeq() };
                w.Spaces[name] = space;
                return Reply.Json(space.ToDto(), J.SpaceDto);
            });
        });

        p.MapGet("/spaces/{name}", (string name) => w.Locked(() => Reply.Json(FindSpace(w, name).ToDto(), J.SpaceDto)));

        p.MapPut("/spaces/{name}", async (HttpContext ctx, string name) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateSpaceRequest");
            var newName = body.OptionalString("name");
            var description = body.OptionalString("description");
            var settings = body.OptionalAny("settings");
            var active = body.OptionalBool("active");
            return w.Locked(() =>
            {
                var space = FindSpace(w, name);
                if (newName is null && description is null && settings is null && active is null)
                    throw ApiException.NotFound("Space not found");
                if (newName is not null && newName != name)
                {
                    // Renaming is broken in 0.3.0: the row is renamed, then the handler re-reads the old name and
                    // fails with 500. A space still used by sessions cannot be renamed at all (foreign key).
                    if (w.Spaces.ContainsKey(newName) || w.Sessions.Values.Any(s => s.Space == name)) throw ApiException.Internal();
                    Apply(space, description, settings, active, w.Now);
                    w.Spaces.Remove(name);
                    space.Name = newName;
                    w.Spaces[newName] = space;
                    throw ApiException.Internal();
                }
                Apply(space, description, settings, active, w.Now);
                return Reply.Json(space.ToDto(), J.SpaceDto);
            });

            static void Apply(SpaceRec s, string? description, JsonElement? settings, bool? active, DateTimeOffset now)
            {
                if (description is not null) s.Description = description;
                if (settings is { } st) s.Settings = st;
                if (active is { } a) s.Active = a;
                s.UpdatedAt = now;
            }
        });

        p.MapDelete("/spaces/{name}", (string name) => w.Locked(() =>
        {
            if (name == "default") throw ApiException.BadRequest("Cannot delete the default space");
            if (!w.Spaces.ContainsKey(name)) throw ApiException.NotFound("Space not found");
            // Sessions (even deleted ones) keep a foreign key to their space, without cascade.
            if (w.Sessions.Values.Any(s => s.Space == name)) throw ApiException.Internal();
            w.Spaces.Remove(name); // secrets, agents and builds go with it
            return Reply.Empty();
        }));
    }

    private static SpaceRec FindSpace(World w, string name) =>
        w.Spaces.TryGetValue(name, out var s) ? s : throw ApiException.NotFound("Space not found");

    // ---- §4.6 secrets -------------------------------------------------------------------------------------

    private static void MapSecrets(RouteGroupBuilder p, World w)
    {
        p.MapGet("/spaces/{space}/secrets", (HttpContext ctx, string space) =>
        {
            var show = Query.Bool(ctx, "show_values") ?? false;
            return w.Locked(() =>
            {
                var s = FindSpace(w, space);
                return Reply.Json(s.Secrets.Values.Select(x => x.ToDto(s.Name, show)).ToList(), J.ListSecretDto);
            });
        });

        p.MapPost("/spaces/{space}/secrets", async (HttpContext ctx, string space) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateSecretRequest");
            var key = body.RequiredString("key_name");
            var value = body.RequiredString("value");
            var description = body.OptionalString("description");
            var caller = Caller(ctx);
            return w.Locked(() =>
            {
                var s = FindSpace(w, space);
                if (s.Secrets.ContainsKey(key)) throw ApiException.Conflict("A secret with this key already exists in the space");
                if (!World.FitsText(value)) throw ApiException.Internal();
                var now = w.Now;
                var secret = new SecretRec { KeyName = key, Value = value, Description = description, CreatedAt = now, UpdatedAt = now, CreatedBy = caller };
                s.Secrets[key] = secret;
                return Reply.Json(secret.ToDto(s.Name, showValue: false), J.SecretDto);
            });
        });

        p.MapGet("/spaces/{space}/secrets/{key}", (HttpContext ctx, string space, string key) =>
        {
            var show = Query.Bool(ctx, "show_values") ?? false;
            return w.Locked(() => Reply.Json(FindSecret(w, space, key).ToDto(space, show), J.SecretDto));
        });

        p.MapPut("/spaces/{space}/secrets/{key}", async (HttpContext ctx, string space, string key) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateSecretRequest");
            var value = body.OptionalString("value");
            var description = body.OptionalString("description");
            return w.Locked(() =>
            {
                var secret = FindSecret(w, space, key);
                if (value is null && description is null) throw ApiException.NotFound("Space secret not found");
                if (value is not null && !World.FitsText(value)) throw ApiException.Internal();
                if (value is not null) secret.Value = value;
                if (description is not null) secret.Description = description;
                secret.UpdatedAt = w.Now;
                return Reply.Json(secret.ToDto(space, showValue: false), J.SecretDto);
            });
        });

        p.MapDelete("/spaces/{space}/secrets/{key}", (string space, string key) => w.Locked(() =>
        {
            FindSecret(w, space, key);
            w.Spaces[space].Secrets.Remove(key);
            return Reply.Empty();
        }));
    }

    private static SecretRec FindSecret(World w, string space, string key) =>
        w.Spaces.TryGetValue(space, out var s) && s.Secrets.TryGetValue(key, out var secret)
            ? secret
            : throw ApiException.NotFound("Space secret not found");

    // ---- §4.7 agents --------------------------------------------------------------------------------------

    private static void MapAgents(RouteGroupBuilder p, World w)
    {
        p.MapGet("/spaces/{space}/agents", (string space) => w.Locked(() =>
            Reply.Json(w.Spaces.TryGetValue(space, out var s)
                ? s.Agents.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Seq).Select(a => a.ToDto(s.Name)).ToList()
                : [], J.ListAgentDto)));

        p.MapGet("/spaces/{space}/agents/running", (string space) => w.Locked(() =>
            Reply.Json(w.Spaces.TryGetValue(space, out var s)
                ? s.Agents.Where(a => a.Status == "running").OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Seq).Select(a => a.ToDto(s.Name)).ToList()
                : [], J.ListAgentDto)));

        p.MapPost("/spaces/{space}/agents", async (HttpContext ctx, string space) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateAgentRequest");
            var name = body.RequiredString("name");
            var description = body.OptionalString("description");
            var purpose = body.OptionalString("purpose");
            var sourceRepo = body.RequiredString("source_repo");
            // Omitted: "main"; explicit null: stored as null.
            var sourceBranch = body.Has("source_branch") ? body.OptionalString("source_branch") : "main";
            return w.Locked(() =>
            {
                if (!w.Spaces.TryGetValue(space, out var s)) throw ApiException.Internal(); // FK violation, reported as "Failed to create agent"
                if (s.Agents.Any(a => a.Name == name)) throw ApiException.Conflict($"Agent with name '{name}' already exists in space '{space}'");
                var now = w.Now;
                var agent = new AgentRec
                {
                    Name = name,
                    Description = description,
                    Purpose = purpose,
                    SourceRepo = sourceRepo,
                    SourceBranch = sourceBranch,
                    CreatedAt = now,
                    UpdatedAt = now,
                    Seq = w.NextSeq(),
                };
                s.Agents.Add(agent);
                return Reply.Json(agent.ToDto(s.Name), J.AgentDto, 201);
            });
        });

        p.MapGet("/spaces/{space}/agents/{name}", (string space, string name) => w.Locked(() =>
            Reply.Json(FindAgent(w, space, name).ToDto(space), J.AgentDto)));

        p.MapPut("/spaces/{space}/agents/{name}", async (HttpContext ctx, string space, string name) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateAgentRequest");
            var description = body.OptionalString("description");
            var purpose = body.OptionalString("purpose");
            var sourceRepo = body.OptionalString("source_repo");
            var sourceBranch = body.OptionalString("source_branch");
            return w.Locked(() =>
            {
                var agent = FindAgent(w, space, name);
                // "No fields to update" is an internal error in the real handler: 500, message hidden.
                if (description is null && purpose is null && sourceRepo is null && sourceBranch is null) throw ApiException.Internal();
                if (description is not null) agent.Description = description;
                if (purpose is not null) agent.Purpose = purpose;
                if (sourceRepo is not null) agent.SourceRepo = sourceRepo;
                if (sourceBranch is not null) agent.SourceBranch = sourceBranch;
                agent.UpdatedAt = w.Now;
                return Reply.Json(agent.ToDto(space), J.AgentDto);
            });
        });

        p.MapDelete("/spaces/{space}/agents/{name}", (string space, string name) => w.Locked(() =>
        {
            var agent = FindAgent(w, space, name);
            w.Spaces[space].Agents.Remove(agent);
            return Results.StatusCode(204);
        }));

        p.MapPatch("/spaces/{space}/agents/{name}/status", async (HttpContext ctx, string space, string name) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateAgentStatusRequest");
            var status = body.RequiredString("status");
            return w.Locked(() =>
            {
                var agent = FindAgent(w, space, name);
                if (!World.AgentStatuses.Contains(status)) throw ApiException.Internal(); // DB CHECK constraint
                agent.Status = status;
                agent.UpdatedAt = w.Now;
                return Reply.Json(agent.ToDto(space), J.AgentDto);
            });
        });

        p.MapPost("/spaces/{space}/agents/{name}/deploy", (string space, string name) => w.Locked(() =>
        {
            // The operator hand-off is a TODO in 0.3.0: the agent stays `building`.
            var agent = FindAgent(w, space, name);
            agent.Status = "building";
            agent.UpdatedAt = w.Now;
            return Reply.Json(agent.ToDto(space), J.AgentDto);
        }));

        p.MapPost("/spaces/{space}/agents/{name}/stop", (string space, string name) => w.Locked(() =>
        {
            var agent = FindAgent(w, space, name);
            agent.Status = "stopped";
            agent.UpdatedAt = w.Now;
            return Reply.Json(agent.ToDto(space), J.AgentDto);
        }));

        p.MapGet("/spaces/{space}/agents/{name}/logs", (HttpContext ctx, string space, string name) =>
        {
            _ = Query.UInt32(ctx, "lines");
            var logType = Query.String(ctx, "log_type");
            if (logType is not (null or "stdout" or "stderr" or "all"))
                throw new RejectionException(400, $"Failed to deserialize query string: log_type: unknown variant `{logType}`, expected one of `stdout`, `stderr`, `all`");
            // The real server reads log files on its own host; there are none here. Never 404.
            return w.Locked(() => Reply.Json(new AgentLogsDto { AgentName = name, Space = space, Timestamp = Ts.Precise(w.Now) }, J.AgentLogsDto));
        });
    }

    private static AgentRec FindAgent(World w, string space, string name) =>
        (w.Spaces.TryGetValue(space, out var s) ? s.Agents.FirstOrDefault(a => a.Name == name) : null)
            ?? throw ApiException.NotFound($"Agent '{name}' not found in space '{space}'");

    // ---- §4.8 builds --------------------------------------------------------------------------------------

    private static void MapBuilds(RouteGroupBuilder p, World w)
    {
        p.MapPost("/spaces/{space}/build", async (HttpContext ctx, string space) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "BuildSpaceRequest");
            _ = body.OptionalBool("force_rebuild");
            return w.Locked(() =>
            {
                if (!w.Spaces.TryGetValue(space, out var s)) throw ApiException.NotFound($"Space '{space}' not found");
                return Reply.Json(w.NewBuild(s).ToDto(fresh: true), J.BuildDto);
            });
        });

        p.MapGet("/spaces/{space}/build/latest", (string space) => w.Locked(() =>
        {
            var b = (w.Spaces.TryGetValue(space, out var s)
                    ? s.Builds.OrderByDescending(x => x.StartedAt).ThenByDescending(x => x.Seq).FirstOrDefault()
                    : null)
                ?? throw ApiException.NotFound("No builds found for space");
            return Reply.Json(b.ToDto(), J.BuildDto);
        }));

        p.MapGet("/spaces/{space}/build/{buildId}", (string space, string buildId) => w.Locked(() =>
        {
            var b = (w.Spaces.TryGetValue(space, out var s) ? s.Builds.FirstOrDefault(x => x.BuildId == buildId) : null)
                ?? throw ApiException.NotFound("Build not found");
            return Reply.Json(b.ToDto(), J.BuildDto);
        }));
    }

    // ---- §4.9 sessions ------------------------------------------------------------------------------------

    private static void MapSessions(RouteGroupBuilder p, World w)
    {
        p.MapGet("/sessions", (HttpContext ctx) =>
        {
            var space = Query.String(ctx, "space");
            var state = Query.String(ctx, "state");
            return w.Locked(() => Reply.Json(w.Sessions.Values
                .Where(s => s.State != "deleted" && (space is null || s.Space == space) && (state is null || s.State == state))
                .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Seq)
                .Select(s => s.ToDto()).ToList(), J.ListSessionDto));
        });

        p.MapPost("/sessions", async (HttpContext ctx) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateSessionRequest");
            var space = body.StringOrDefault("space", "default"); // omitted: "default"; null: 422
            var metadata = body.AnyOrMissing("metadata") ?? World.EmptyObject;
            var caller = Caller(ctx);
            return w.Locked(() =>
            {
                // The real handler checks only the secrets and builds tables, so an unknown space gets the secret message.
                if (!w.Spaces.TryGetValue(space, out var s) || !s.Secrets.ContainsKey("ANTHROPIC_API_KEY"))
                    throw ApiException.BadRequest("ANTHROPIC_API_KEY secret is required in space before creating sessions. Add it with: /api POST spaces/{space}/secrets");
                var build = s.Builds.Where(b => b.Status == "completed").OrderByDescending(b => b.StartedAt).ThenByDescending(b => b.Seq).FirstOrDefault()
                    ?? throw ApiException.BadRequest($"Space '{space}' must be built before creating sessions. Use: POST /spaces/{space}/build");
                if (build.ImageTag is null)
                    throw ApiException.BadRequest($"Space '{space}' build completed but missing image tag. Please rebuild space.");
                return Reply.Json(w.NewSession(space, caller, null, metadata).ToDto(), J.SessionDto);
            });
        });

        p.MapGet("/sessions/{id}", (string id) => w.Locked(() => Reply.Json(FindSession(w, id).ToDto(), J.SessionDto)));

        p.MapPut("/sessions/{id}", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateSessionRequest");
            var metadata = body.OptionalAny("metadata");
            var name = body.OptionalString("name");
            return w.Locked(() =>
            {
                var s = FindSession(w, id);
                if (name is not null) throw ApiException.Internal(); // 0.3.0 has no `name` column
                if (metadata is null) throw ApiException.BadRequest("No fields to update");
                s.Metadata = metadata.Value;
                return Reply.Json(s.ToDto(), J.SessionDto);
            });
        });

        p.MapPut("/sessions/{id}/state", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "UpdateSessionStateRequest");
            var state = body.RequiredString("state");
            _ = body.OptionalString("container_id");
            _ = body.OptionalString("persistent_volume_id");
            return w.Locked(() =>
            {
                // Any stored state may be written, deleted ones included; no transition check (as in 0.3.0).
                if (!w.Sessions.TryGetValue(id, out var s)) throw ApiException.NotFound("Session not found");
                if (!World.SessionStates.Contains(state)) throw ApiException.Internal(); // DB CHECK constraint
                s.State = state;
                return Reply.Json(new StateUpdateDto { Success = true, State = state }, J.StateUpdateDto);
            });
        });

        p.MapPost("/sessions/{id}/close", (string id) => w.Locked(() =>
        {
            var s = FindSession(w, id);
            if (s.State == "closed") throw ApiException.BadRequest("Session is already closed");
            if (s.State == "errored") throw ApiException.BadRequest("Cannot close session in error state");
            s.State = "closed";
            return Reply.Json(s.ToDto(), J.SessionDto);
        }));

        p.MapPost("/sessions/{id}/restore", (string id) => w.Locked(() =>
        {
            var s = FindSession(w, id);
            if (s.State != "closed")
                throw ApiException.BadRequest($"Cannot restore session in {s.State} state - only closed sessions can be restored");
            s.State = "idle";
            return Reply.Json(s.ToDto(), J.SessionDto);
        }));

        p.MapPost("/sessions/{id}/remix", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "RemixSessionRequest");
            var metadata = body.OptionalAny("metadata");
            return w.Locked(() =>
            {
                if (!w.Sessions.TryGetValue(id, out var parent) || parent.State == "deleted")
                    throw ApiException.NotFound("Parent session not found");
                // Space and created_by come from the parent; a requested target space is ignored.
                return Reply.Json(w.NewSession(parent.Space, parent.CreatedBy, parent.Id, metadata ?? parent.Metadata).ToDto(), J.SessionDto);
            });
        });

        p.MapDelete("/sessions/{id}", (string id) => w.Locked(() =>
        {
            var s = FindSession(w, id);
            s.State = "deleted";
            return Reply.Empty();
        }));
    }

    /// <summary>
    /// <c>ORDER BY created_at</c> as 0.3.0 has it: the stored timestamps have whole seconds, and within one second the
    /// order is not the order of posting.
    /// </summary>
    private static IEnumerable<MessageRec> Listed(List<MessageRec> messages, MessageTieOrder ties)
    {
        var bySecond = messages.OrderBy(m => m.CreatedAt.UtcTicks - m.CreatedAt.UtcTicks % TimeSpan.TicksPerSecond);
        return ties == MessageTieOrder.NewestFirst
            ? bySecond.ThenByDescending(m => m.Seq)
            : bySecond.ThenBy(m => m.Id, StringComparer.Ordinal);
    }

    private static SessionRec FindSession(World w, string id) =>
        w.Sessions.TryGetValue(id, out var s) && s.State != "deleted" ? s : throw ApiException.NotFound("Session not found");

    // ---- §4.10 messages -----------------------------------------------------------------------------------

    private static void MapMessages(RouteGroupBuilder p, World w)
    {
        p.MapGet("/sessions/{id}/messages", (HttpContext ctx, string id) =>
        {
            var limit = Query.Int64(ctx, "limit") ?? 100;
            var offset = Query.Int64(ctx, "offset") ?? 0;
            _ = Query.String(ctx, "role");  // parsed but ignored by the real server
            _ = Query.String(ctx, "since"); // likewise
            return w.Locked(() =>
            {
                var s = FindSession(w, id);
                if (limit < 0 || offset < 0) throw ApiException.Internal(); // MySQL rejects a negative LIMIT/OFFSET
                limit = Math.Min(limit, 1000);
                return Reply.Json(Listed(s.Messages, w.Options.MessageTies)
                    .Skip((int)Math.Min(offset, int.MaxValue)).Take((int)limit)
                    .Select(m => m.ToDto(s.Id)).ToList(), J.ListMessageDto);
            });
        });

        p.MapPost("/sessions/{id}/messages", async (HttpContext ctx, string id) =>
        {
            var body = await JsonBody.ReadAsync(ctx, "CreateMessageRequest");
            var role = body.RequiredString("role");
            var content = body.RequiredString("content");
            var metadata = body.AnyOrMissing("metadata") ?? World.EmptyObject;
            return w.Locked(() =>
            {
                var s = FindSession(w, id);
                var now = w.Now;
                if (s.State == "closed")
                {
                    // 0.3.0 sets the session idle, then fails to queue the resume task (its INSERT lacks the NOT NULL
                    // created_by): the message is not stored and the container stays stopped.
                    s.State = "idle";
                    s.LastActivityAt = now;
                    throw ApiException.Internal();
                }
                // The session is set busy before the insert, which fails on a role outside the CHECK constraint or
                // content over the TEXT column: nothing is stored, and the session is left busy with nothing to answer.
                if (!World.MessageRoles.Contains(role) || !World.FitsText(content))
                {
                    if (s.State == "idle") s.State = "busy";
                    s.LastActivityAt = now;
                    throw ApiException.Internal();
                }
                var m = new MessageRec { Id = World.NewId(), Role = role, Content = content, Metadata = metadata, CreatedAt = now, Seq = w.NextSeq() };
                s.Messages.Add(m);
                s.LastActivityAt = now;
                if (role == "user") w.OnUserMessage(s, m, now);
                return Reply.Json(m.ToDto(s.Id, fresh: true), J.MessageDto);
            });
        });

        p.MapGet("/sessions/{id}/messages/count", (string id) => w.Locked(() =>
        {
            var s = FindSession(w, id);
            return Reply.Json(new CountDto { Count = s.Messages.Count, SessionId = s.Id }, J.CountDto);
        }));

        p.MapDelete("/sessions/{id}/messages", (string id) => w.Locked(() =>
        {
            var s = FindSession(w, id);
            var n = s.Messages.Count;
            s.Messages.Clear();
            return Reply.Json(new ClearDto { Deleted = n, SessionId = s.Id }, J.ClearDto);
        }));
    }
}
