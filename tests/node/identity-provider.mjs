// The staff's identity provider in tests: oidc-provider (OpenID Certified) on loopback.
//
// Settings come from the environment:
//   PORT          port to listen on (0: any free one); the issuer is http://127.0.0.1:PORT
//   REDIRECT_URI  billpass's callback, registered for the clients `billpass` and `other`
//   USERS         JSON: {"carol": {"email": "carol@utility.example", "groups": ["billpass-csr"]}}
//   KEY_SEED      anything: a different seed gives the provider a different signing key
// It prints `listening on PORT` once it takes requests.
//
// Signing in: GET /interaction/{uid} shows a form with one field, `login` (a key of USERS);
// posting it signs that user in, and consent is given at once.
import { createServer } from "node:http";
import { generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

const users = JSON.parse(process.env.USERS ?? "{}");
const redirect = process.env.REDIRECT_URI;
const port = Number(process.env.PORT ?? 0);

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: `key-${process.env.KEY_SEED ?? "1"}`, alg: "RS256", use: "sig" };

// Bound first, so that the issuer can name the port.
const server = createServer();
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [redirect],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
});

const provider = new Provider(issuer, {
  clients: [client("billpass"), client("other")],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  scopes: ["openid", "email", "groups"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
  // The claims of the scopes asked for go into the ID token, where billpass reads them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ["billpass-test-cookie-key"] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, email: user.email, email_verified: true, groups: user.groups ?? [] }),
    };
  },
});
provider.proxy = false;

const form = (uid) => `<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Sign in</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="login">User</label><input id="login" name="login" autocomplete="off">
<button type="submit">Sign in</button></form></main></body></html>`;

async function readForm(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

const callback = provider.callback();
server.on("request", async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      if (req.method === "POST" && match[2]) {
        const { login } = await readForm(req);
        if (!users[login]) {
          res.writeHead(200, { "content-type": "text/html" });
          return res.end(form(details.uid));
        }
        return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(form(details.uid));
    }
    // Consent: granted at once, for what was asked.
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (error) {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(String(error));
  }
});

console.log(`listening on ${server.address().port}`);
