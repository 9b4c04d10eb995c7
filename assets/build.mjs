// Compiles assets/frontdoor.scss into static/build/ and copies GOV.UK Frontend's
// JavaScript and the assets its CSS points at. The brand colour comes from
// COUNCIL_BRAND_COLOUR (a hex colour) at build time.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const brand = process.env.COUNCIL_BRAND_COLOUR || "#1d70b8";
if (!/^#[0-9a-fA-F]{6}$/.test(brand)) {
  console.error(`COUNCIL_BRAND_COLOUR must be a colour like #1d70b8, not ${brand}`);
  process.exit(1);
}

const source = join(root, "assets", "frontdoor.scss");
const result = sass.compileString(
  `$frontdoor-brand-colour: ${brand};\n${readFileSync(source, "utf8")}`,
  {
    url: pathToFileURL(source),
    style: "compressed",
    importers: [new sass.NodePackageImporter()],
    quietDeps: true,
  },
);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "frontdoor.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets"), join(out, "govuk-assets"), { recursive: true });
console.log(`Built static/build/ (brand colour ${brand})`);
