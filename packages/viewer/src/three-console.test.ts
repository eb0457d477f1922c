import * as THREE from "three";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dropClockDeprecation } from "./three-console";

describe("three's console", () => {
  afterEach(() => vi.restoreAllMocks());

  it("drops the Clock deprecation (React Three Fiber makes a Clock per canvas) and nothing else", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    new THREE.Clock();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      "THREE.Clock: This module has been deprecated. Please use THREE.Timer instead.",
    ]);
    warn.mockClear();

    dropClockDeprecation();
    dropClockDeprecation(); // once is enough; twice changes nothing
    new THREE.Clock();
    expect(warn).not.toHaveBeenCalled();
    // three's other messages still reach the console, as three writes them
    THREE.warn("WebGLRenderer: something else.", 42);
    expect(warn.mock.calls).toEqual([["THREE.WebGLRenderer: something else.", 42]]);
    THREE.error("Loader: failed.");
    expect(error.mock.calls).toEqual([["THREE.Loader: failed."]]);
  });
});
