import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The package's entries (package.json `exports`) by the source file each is built from: the one
 * whose declarations the entry's `types` names.
 */
export const ENTRIES: Record<string, string> = Object.fromEntries(
  Object.entries(
    (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        exports: Record<string, { types?: string } | string>;
      }
    ).exports,
  ).flatMap(([entry, target]) => {
    const types = typeof target === 'string' ? undefined : target.types;
    if (!types) return [];
    return [[path.posix.join('council', entry), types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')]];
  }),
);

/**
 * The declarations a build of the entries emits (tsconfig.build.json), written under node_modules'
 * cache so that they resolve the repository's packages as dist/ does. Returns their directory.
 */
export function emitDeclarations(): string {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(path.join(cache, 'council-public-types-'));
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.build.json could not be read');
  const options = {
    ...config.options,
    outDir,
    declaration: true,
    emitDeclarationOnly: true,
    sourceMap: false,
  };
  const program = ts.createProgram(
    Object.values(ENTRIES).map((file) => path.join(ROOT, file)),
    options,
  );
  // Not `emitSkipped`: TypeScript sets it here though every declaration is written. The emit's
  // diagnostics say whether one was not.
  const { diagnostics } = program.emit();
  if (diagnostics.length > 0) {
    rmSync(outDir, { recursive: true, force: true });
    const why = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    throw new Error(`the declarations were not emitted: ${why.join('; ')}`);
  }
  return outDir;
}

/** A symbol as the checker sees it once an `export { x } from` alias is followed. */
function resolved(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** Where a declaration is, relative to the emitted directory. */
function placeOf(declaration: ts.Declaration, outDir: string): string {
  const file = declaration.getSourceFile();
  const line = file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
  return `${path.relative(outDir, file.fileName)}:${line}`;
}

/** What the walk found: council types used by the public API but exported by no entry; `any`s. */
export interface PublicTypesReport {
  unnameable: string[];
  anys: string[];
}

/**
 * Walks every exported declaration of the entries, and every council type they use (to any depth),
 * for a type no entry exports (a user could not write it) and for `any`. Private class members are
 * left out: their types are not emitted.
 */
export function publicTypesReport(outDir: string): PublicTypesReport {
  const files = Object.values(ENTRIES).map((file) => path.join(outDir, file.replace(/\.ts$/, '.d.ts')));
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const nameable = new Set<ts.Symbol>();
  const queue: ts.Symbol[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`no module in ${file}`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = resolved(checker, exported);
      nameable.add(symbol);
      queue.push(symbol);
    }
  }
  const inCouncil = (d: ts.Declaration) => d.getSourceFile().fileName.startsWith(outDir);
  const unnameable = new Set<string>();
  const anys = new Set<string>();
  const walked = new Set<ts.Symbol>();
  for (let symbol = queue.shift(); symbol; symbol = queue.shift()) {
    if (walked.has(symbol)) continue;
    walked.add(symbol);
    for (const declaration of symbol.declarations ?? []) {
      if (!inCouncil(declaration)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Private) return;
        if (node.kind === ts.SyntaxKind.AnyKeyword)
          anys.add(`${symbol.name} (${placeOf(declaration, outDir)})`);
        const name = referencedName(node);
        const target = name && checker.getSymbolAtLocation(name);
        if (target) {
          const used = resolved(checker, target);
          const own = used.declarations?.find(inCouncil);
          if (own && !(used.flags & ts.SymbolFlags.TypeParameter)) {
            if (!nameable.has(used))
              unnameable.add(`${used.name} (${placeOf(own, outDir)}), used by ${symbol.name}`);
            queue.push(used);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(declaration);
    }
  }
  return { unnameable: [...unnameable].sort(), anys: [...anys].sort() };
}

/** The name a type reference, an `extends`/`implements` clause or an `import("…").X` type refers to. */
function referencedName(node: ts.Node): ts.Node | undefined {
  let name: ts.Node | undefined;
  if (ts.isTypeReferenceNode(node)) name = node.typeName;
  else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
  else if (ts.isImportTypeNode(node)) name = node.qualifier;
  return name && ts.isQualifiedName(name) ? name.right : name;
}
