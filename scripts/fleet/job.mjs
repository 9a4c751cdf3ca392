// What the fleet drivers share (fleet.mjs with Raworc tokens, signin.mjs with signed-in access tokens): the official
// TypeScript SDK loaded from the pinned install, a checked tool call, and the whole job a user does through the
// balancer (space, secret, agent, build, session, message, the agent's reply on the API stand-in).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Throws `msg` unless `cond` holds: the drivers' one way to fail a check. */
export function check(cond, msg) { if (!cond) throw new Error(msg); }

/** The TypeScript SDK 1.x client pieces from SDK_DIR's node_modules (scripts/e2e/install.sh puts them there). */
export function loadSdk(sdkDir) {
  const sdkRequire = createRequire(path.join(sdkDir, 'package.json'));
  const load = (name) => sdkRequire(`@modelcontextprotocol/sdk/${name}`);
  return {
    Client: load('client/index.js').Client,
    StreamableHTTPClientTransport: load('client/streamableHttp.js').StreamableHTTPClientTransport,
    StdioClientTransport: load('client/stdio.js').StdioClientTransport,
    UnauthorizedError: load('client/auth.js').UnauthorizedError,
    version: JSON.parse(readFileSync(sdkRequire.resolve('@modelcontextprotocol/sdk/package.json'), 'utf8')).version,
  };
}

export const textOf = (result) => (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');

/** Calls a tool that must succeed and returns its JSON answer (null for an empty one). */
export async function call(client, name, args = {}, timeout = 20000) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout });
  const text = textOf(result);
  check(!result.isError, `${name} returned an error: ${text.slice(0, 300)}`);
  return text === '' ? null : JSON.parse(text);
}

/**
 * A whole job as ACCOUNT, through CLIENT: whoami, a space with a secret and an agent, a build, a session, a message
 * and the stand-in agent's reply. Returns a one-line account of what it did.
 */
export async function runJob(client, account) {
  const me = await call(client, 'whoami');
  check(me.user === account, `whoami says ${JSON.stringify(me.user)}, expected ${account}`);

  const space = `fleet-${Date.now().toString(36)}`;
  check((await call(client, 'create_space', { name: space, description: 'raworc-mcp fleet test' })).name === space, 'create_space');
  const secret = await call(client, 'create_secret', { space, key_name: 'ANTHROPIC_API_KEY', value: 'sk-ant-fleet-not-a-real-key' });
  check(secret.key_name === 'ANTHROPIC_API_KEY' && secret.value === undefined, 'create_secret returned the key without its value');
  const agent = await call(client, 'create_agent', { space, name: 'fleet-agent', source_repo: 'Raworc/raworc-agent-python-demo' });
  check(agent.name === 'fleet-agent', 'create_agent');
  const build = await call(client, 'create_build', { space });
  const built = await call(client, 'wait_for_build', { space, build_id: build.build_id, timeout_seconds: 50 }, 60000);
  check(built.status === 'completed', `the build ended ${JSON.stringify(built.status)}`);
  const session = await call(client, 'create_session', { space });
  check((await call(client, 'wait_for_session', { session_id: session.id, timeout_seconds: 50 }, 60000)).state === 'idle', 'the session did not become idle');
  const question = 'Which files are in the repository?';
  check((await call(client, 'send_message', { session_id: session.id, content: question })).role === 'user', 'send_message');
  await call(client, 'wait_for_session', { session_id: session.id, state: 'idle', timeout_seconds: 50 }, 60000);
  let reply;
  for (let i = 0; i < 100 && !reply; i++) { // the reply lands as the session turns idle; allow for the poll interval
    reply = (await call(client, 'get_messages', { session_id: session.id })).find((m) => m.role === 'agent');
    if (!reply) await new Promise((r) => setTimeout(r, 100));
  }
  check(reply?.content === `Agent reply to: ${question}`, `the agent's reply is ${JSON.stringify(reply?.content)}`);
  return { space, summary: `space ${space}, secret, agent, build ${built.status}, session, message, reply "${reply.content}"` };
}
