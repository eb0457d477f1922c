import { additionalFiles, additionalPackages } from "@trigger.dev/build/extensions/core";
import { defineConfig } from "@trigger.dev/sdk";

/**
 * Deploy the workers to Trigger.dev: `TRIGGER_PROJECT_REF=proj_... npx trigger.dev@4.8.3 deploy`
 * from this folder. The JavaScript (the geometry kernel's glue included) is bundled; its 9 MB wasm is
 * shipped beside the bundle, at packages/geometry/wasm/ under the working directory, where
 * `@facet/geometry/node` looks for it. `@napi-rs/canvas` (thumbnails; Skia, a native module) is not
 * bundled: it is installed in the deployment at the version workers/package.json pins. Nor is
 * TensorFlow.js (the learned pre-labeler's training, `learning-train`): its WebAssembly backend finds
 * its `.wasm` files beside its own module, so it is installed as a package, at the version
 * packages/prelabel pins.
 */
export default defineConfig({
  project: process.env.TRIGGER_PROJECT_REF ?? "set TRIGGER_PROJECT_REF",
  runtime: "node",
  dirs: ["./src/trigger"],
  maxDuration: 600,
  retries: {
    enabledInDev: true,
    default: { maxAttempts: 3, factor: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 120_000, randomize: true },
  },
  build: {
    external: ["@napi-rs/canvas", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"],
    extensions: [
      additionalFiles({ files: ["../packages/geometry/wasm/facet-occt.wasm"] }),
      additionalPackages({
        packages: ["@napi-rs/canvas@1.2.1", "@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"],
      }),
    ],
  },
});
