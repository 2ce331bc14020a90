import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A self-contained server in .next/standalone, so the Docker image needs no node_modules.
  output: "standalone",
  // This folder is the project root even inside the monorepo: keeps .next/standalone/server.js where
  // `npm start` and the Dockerfile expect it, whatever lock files appear further up.
  outputFileTracingRoot: __dirname,
  // `next dev` would otherwise (re)write an AGENTS.md of create-next-app boilerplate into this folder.
  agentRules: false,
  turbopack: {
    root: __dirname,
    rules: {
      "*.css": {
        loaders: ["@tailwindcss/turbopack"],
        as: "*.css",
      },
    },
  },
};

export default nextConfig;
