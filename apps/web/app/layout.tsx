import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Facet", template: "%s · Facet" },
  description: "Curate CAD datasets and label STEP parts face by face",
};

/**
 * Every page is rendered per request: its scripts carry the request's Content-Security-Policy nonce
 * (proxy.ts), which a page rendered at build time could not.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
