// The TypeScript compiler is large (~200 ms to load): this module is imported only for a
// TS/JS text that acorn (_estree.ts, which gives the same facts) refuses, and never by the git
// hooks' pre-commit path. It is the reference the acorn analyzer is tested against.
import ts from "typescript";
import {
  type ExportFact,
  type FileFacts,
  type FunctionFact,
  type ImportFact,
  isTestPath,
  MARKER_RE,
  type MarkerFact,
  markerIn,
  NOT_IMPLEMENTED_RE,
  type SourceLang,
  type StubFact,
} from "./_facts.ts";

function scriptKind(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

type FnNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFn(node: ts.Node): node is FnNode {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) ||
    ts.isFunctionExpression(node) || ts.isArrowFunction(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

function fnName(node: FnNode): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
    return node.name.text;
  }
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return "<anonymous>";
}

// Callbacks passed as arguments (`.catch(() => {})`) are empty on purpose; only named
// functions, methods and functions bound to a name count as empty-body stubs.
function countsAsEmptyStub(node: FnNode): boolean {
  if (ts.isConstructorDeclaration(node)) return false;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const p = node.parent;
    return !!p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) ||
      ts.isPropertyDeclaration(p));
  }
  return true;
}

function complexityOf(body: ts.Node): number {
  let n = 1;
  const visit = (node: ts.Node): void => {
    if (isFn(node)) return; // nested functions have their own complexity
    switch (node.kind) {
      case ts.SyntaxKind.IfStatement:
      case ts.SyntaxKind.ConditionalExpression:
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.CatchClause:
      case ts.SyntaxKind.CaseClause:
        n++;
        break;
      case ts.SyntaxKind.BinaryExpression: {
        const op = (node as ts.BinaryExpression).operatorToken.kind;
        if (
          op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken ||
          op === ts.SyntaxKind.QuestionQuestionToken
        ) n++;
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return n;
}

function hasExportModifier(node: ts.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function notImplementedThrow(node: ts.ThrowStatement): boolean {
  const e = node.expression;
  if (e && (ts.isNewExpression(e) || ts.isCallExpression(e))) {
    const arg = e.arguments?.[0];
    if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
      return NOT_IMPLEMENTED_RE.test(arg.text);
    }
  }
  if (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))) {
    return NOT_IMPLEMENTED_RE.test(e.text);
  }
  return false;
}

/** Parses one TS/JS file with the TypeScript compiler (syntax only, no type check). */
export function analyzeTs(file: string, text: string, lang: SourceLang): FileFacts {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const imports: ImportFact[] = [];
  const functions: FunctionFact[] = [];
  const stubs: StubFact[] = [];
  const exports: ExportFact[] = [];
  const addImport = (
    spec: ts.Expression | undefined,
    node: ts.Node,
    typeOnly: boolean,
    dynamic = false,
  ) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      imports.push({
        spec: spec.text,
        line: lineOf(node.getStart(sf)),
        type_only: typeOnly,
        ...(dynamic ? { dynamic: true } : {}),
      });
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      addImport(node.moduleSpecifier, node, !!clause?.isTypeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      addImport(node.moduleSpecifier, node, node.isTypeOnly);
    } else if (
      ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
    ) {
      addImport(node.moduleReference.expression, node, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) {
        addImport(node.arguments[0], node, false, true);
      } else if (ts.isIdentifier(callee) && callee.text === "require") {
        addImport(node.arguments[0], node, false);
      }
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) addImport(arg.literal as ts.Expression, node, true);
    } else if (ts.isThrowStatement(node) && notImplementedThrow(node)) {
      let fn: ts.Node | undefined = node.parent;
      while (fn && !isFn(fn)) fn = fn.parent;
      stubs.push({
        line: lineOf(node.getStart(sf)),
        name: fn ? fnName(fn as FnNode) : "<top level>",
        reason: 'throws "not implemented"',
      });
    }
    if (isFn(node) && node.body) {
      const start = lineOf(node.getStart(sf));
      const end = lineOf(node.end);
      const name = fnName(node);
      functions.push({
        name,
        line: start,
        end_line: end,
        lines: end - start + 1,
        complexity: complexityOf(node.body),
      });
      if (
        ts.isBlock(node.body) && node.body.statements.length === 0 && countsAsEmptyStub(node) &&
        node.body.getText(sf).replace(/\s/g, "") === "{}"
      ) {
        stubs.push({ line: start, name, reason: "empty body" });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);

  for (const stmt of sf.statements) {
    if (!hasExportModifier(stmt)) continue;
    const names: string[] = [];
    if (
      (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) ||
        ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) ||
        ts.isEnumDeclaration(stmt)) && stmt.name
    ) names.push(stmt.name.text);
    else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
    }
    if (names.length === 0) continue;
    const documented = (ts.getLeadingCommentRanges(text, stmt.pos) ?? []).some((r) =>
      text.startsWith("/**", r.pos)
    );
    for (const name of names) exports.push({ name, line: lineOf(stmt.getStart(sf)), documented });
  }

  return {
    file,
    lang,
    lines: sf.getLineStarts().length,
    test: isTestPath(file),
    imports,
    functions,
    stubs,
    // Walking every token is the costly part: only a text that holds a marker word needs it.
    markers: MARKER_RE.test(text) ? tsMarkers(sf, text, lineOf) : [],
    exports,
  };
}

// Every comment is leading or trailing trivia of some token; walking all tokens (not only
// nodes) finds comments in empty blocks and before closing braces too.
function tsMarkers(
  sf: ts.SourceFile,
  text: string,
  lineOf: (pos: number) => number,
): MarkerFact[] {
  const seen = new Set<number>();
  const out: MarkerFact[] = [];
  const take = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      const comment = text.slice(r.pos, r.end);
      // A block comment may hold several markers, one per line.
      const lines = comment.split("\n");
      lines.forEach((l, i) => {
        const m = markerIn(l, lineOf(r.pos) + i);
        if (m) out.push(m);
      });
    }
  };
  const visit = (node: ts.Node): void => {
    take(ts.getLeadingCommentRanges(text, node.pos));
    take(ts.getTrailingCommentRanges(text, node.pos));
    for (const child of node.getChildren(sf)) visit(child);
  };
  visit(sf);
  take(ts.getLeadingCommentRanges(text, sf.endOfFileToken.pos));
  return out.sort((a, b) => a.line - b.line);
}
