/**
 * The page shell every dashboard page shares: head, the header bar with
 * the node's name, navigation and sign-out, and the main column.
 *
 * @module
 */
import { VERSION } from "../version.ts";
import { h, type Html } from "./html.ts";

export interface PageOptions {
  title: string;
  /** This node's name. */
  self: string;
  /** Which navigation entry is current. */
  nav?: "overview" | "node" | "call";
  /** The signed-in session's anti-forgery token (shows the navigation and sign-out). */
  csrf?: string;
  /** The live-update stream this page listens to (`/dashboard/stream?...`). */
  stream?: string;
}

/** `/dashboard/node/<name>`. */
export function nodeHref(node: string): string {
  return `/dashboard/node/${encodeURIComponent(node)}`;
}

function navLink(href: string, label: string, current: boolean): Html {
  return h`<a href="${href}"${current ? h` aria-current="page"` : ""}>${label}</a>`;
}

/** A whole HTML document. */
export function page(o: PageOptions, body: Html): string {
  const signedIn = o.csrf !== undefined;
  return "<!doctype html>\n" + h`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${o.title} · ${o.self}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/style.css?v=${VERSION}">
${signedIn && h`<script src="/dashboard/assets/app.js?v=${VERSION}" defer></script>`}
</head>
<body${o.stream ? h` data-stream="${o.stream}"` : ""}>
<header class="bar">
  <a class="brand" href="/dashboard"><span class="logo" aria-hidden="true"></span>meshrpc</a>
  <span class="self" title="This node">${o.self}</span>
  ${
    signedIn && h`<nav>
    ${navLink("/dashboard", "Overview", o.nav === "overview")}
    ${navLink(nodeHref(o.self), "This node", o.nav === "node")}
    ${navLink("/dashboard/call", "Call", o.nav === "call")}
  </nav>
  <span class="live" id="live" title="Live updates">${o.stream ? "live" : ""}</span>
  <form method="post" action="/dashboard/signout" class="signout">
    <input type="hidden" name="csrf" value="${o.csrf}">
    <button type="submit">Sign out</button>
  </form>`
  }
</header>
<main>
${body}
</main>
<footer>meshrpc ${VERSION}</footer>
</body>
</html>
`;
}

/** A labelled status pill: "up", "down", "hidden", a runtime. */
export function pill(text: string, tone: "up" | "down" | "muted" | "bun" | "deno" | "warn"): Html {
  return h`<span class="pill pill-${tone}">${text}</span>`;
}
