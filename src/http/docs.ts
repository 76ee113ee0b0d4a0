// /docs: the interactive API reference (Swagger UI) rendered from /openapi.json. Every asset comes
// from the swagger-ui-dist package on this server — no CDN — so it works offline and behind firewalls.
// Links are relative, so the page also works when Chronos is served under a path prefix.
//
// Swagger UI is given a derived document, not /openapi.json itself: the contract's long introduction
// would fill the first screens and push every operation out of sight, so the page shows a two-line
// summary with the guide collapsed beneath it (src/http/docs-guide.ts) and the reference right after.
// Everything else is the contract, unchanged.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';
import { loadOpenApiDocument, type OpenApiDocument } from './openapi.js';
import { DOCS_GUIDE, DOCS_GUIDE_TITLE, DOCS_SUMMARY } from './docs-guide.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** Only what the page loads; the package also holds a demo page pointing at an online petstore. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

// No inline script, so the page runs under a strict Content-Security-Policy (Swagger UI needs inline styles).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Chronos API reference</title>
  <link rel="stylesheet" href="./assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="./assets/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="./assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./assets/swagger-ui-bundle.js"></script>
  <script src="./init.js"></script>
</body>
</html>
`;

// validatorUrl: null — otherwise Swagger UI sends the document to an online validator for a badge.
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: new URL('./openapi.json', window.location.href).toString(),
  dom_id: '#swagger-ui',
  deepLinking: true,
  displayOperationId: true,
  displayRequestDuration: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout'
});
`;

/** The contract as /docs presents it: the introduction shortened, the guide collapsed under it. */
export function toDocsDocument(contract: OpenApiDocument): OpenApiDocument {
  const info = contract.info as Record<string, unknown>;
  // A blank line after <summary> lets the guide's markdown be parsed as markdown inside the HTML block.
  const description = `${DOCS_SUMMARY}\n\n<details><summary>${DOCS_GUIDE_TITLE}</summary>\n\n${DOCS_GUIDE}\n\n</details>\n`;
  return { ...contract, info: { ...info, description } };
}

export function docsRoutes(): Router {
  const docsDocument = JSON.stringify(toDocsDocument(loadOpenApiDocument()));
  const router = Router();
  const page = (res: Response, type: string, body: string) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(type).send(body);
  };
  router.get('/docs', (req, res) => {
    // Relative asset links need the trailing slash: /docs → /docs/.
    if (!req.originalUrl.split('?')[0].endsWith('/')) return void res.redirect(301, 'docs/');
    page(res, 'html', INDEX_HTML);
  });
  router.get('/docs/init.js', (_req, res) => page(res, 'js', INIT_JS));
  router.get('/docs/openapi.json', (_req, res) => page(res, 'json', docsDocument));
  router.get('/docs/assets/:file', (req, res, next) => {
    const file = req.params.file;
    if (!ASSETS.has(file)) return next();
    res.sendFile(join(SWAGGER_UI_DIR, file), { maxAge: '1d' });
  });
  return router;
}
