// Copy the offline-export scripts into intershap_widget/static_export/.
//
// The packages are fetched with `npm pack` (one tarball each; a full install of the
// widget HTML manager would pull ~128 MB of dependencies we do not need) and only the
// files listed under "exportFiles" in package.json are extracted. A manifest records
// the versions; when it already matches, nothing is fetched (fast re-installs).
// Usage: node js-export/build.mjs [--force]
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "intershap_widget", "static_export");
const spec = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).exportFiles;
const manifestPath = join(outDir, "manifest.json");

function upToDate() {
  if (!existsSync(manifestPath)) return false;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  return Object.entries(spec).every(([name, s]) =>
    manifest.packages?.[name]?.version === s.version &&
    Object.values(s.files).every((f) => existsSync(join(outDir, f))));
}

if (!process.argv.includes("--force") && upToDate()) {
  console.log(`intershap export scripts up to date in ${outDir}`);
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "intershap-export-"));
const manifest = { packages: {}, files: {} };
try {
  for (const [name, s] of Object.entries(spec)) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const packed = JSON.parse(
      execFileSync(npm, ["pack", `${name}@${s.version}`, "--json", "--pack-destination", work],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
    const tarball = join(work, packed[0].filename);
    const inside = Object.keys(s.files);
    execFileSync("tar", ["-xzf", tarball, "-C", work, ...inside], { stdio: "inherit" });
    for (const [src, dest] of Object.entries(s.files)) {
      copyFileSync(join(work, src), join(outDir, dest));
      const sha = createHash("sha256").update(readFileSync(join(outDir, dest))).digest("hex");
      manifest.files[dest] = { package: name, sha256: sha };
    }
    manifest.packages[name] = { version: s.version, license: s.license };
    rmSync(join(work, "package"), { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
console.log(`intershap export scripts written to ${outDir}`);
