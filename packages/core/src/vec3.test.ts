import { describe, expect, it } from "vitest";
import { cross, dot, length, sub, unit, type Vec3 } from "./vec3";

const X: Vec3 = [1, 0, 0];
const Y: Vec3 = [0, 1, 0];
const Z: Vec3 = [0, 0, 1];

describe("vec3", () => {
  it("dot: sums the products of the coordinates", () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(4 - 10 + 18);
    expect(dot(X, Y)).toBe(0);
    expect(dot([2, 0, 0], [3, 0, 0])).toBe(6);
  });

  it("sub: subtracts coordinate by coordinate", () => {
    expect(sub([5, 7, 9], [1, 2, 3])).toEqual([4, 5, 6]);
    expect(sub(X, X)).toEqual([0, 0, 0]);
  });

  it("cross: right-handed, anti-commutative, perpendicular to both", () => {
    expect(cross(X, Y)).toEqual(Z);
    expect(cross(Y, Z)).toEqual(X);
    expect(cross(Z, X)).toEqual(Y);
    expect(cross(Y, X)).toEqual([0, 0, -1]);
    const a: Vec3 = [1, 2, 3];
    const b: Vec3 = [-4, 0.5, 2];
    const c = cross(a, b);
    expect(dot(c, a)).toBeCloseTo(0, 12);
    expect(dot(c, b)).toBeCloseTo(0, 12);
    expect(cross(a, a)).toEqual([0, 0, 0]);
  });

  it("length: the Euclidean norm", () => {
    expect(length([3, 4, 0])).toBe(5);
    expect(length([0, 0, 0])).toBe(0);
    expect(length([-2, 3, 6])).toBe(7);
  });

  it("unit: scales to length 1 and keeps the direction", () => {
    expect(unit([0, 0, 5])).toEqual(Z);
    const u = unit([3, -4, 12]) as Vec3;
    expect(length(u)).toBeCloseTo(1, 12);
    expect(u).toEqual([3 / 13, -4 / 13, 12 / 13]);
  });

  it("unit: null for the zero vector, a vector not longer than minLength, or one not finite", () => {
    expect(unit([0, 0, 0])).toBeNull();
    expect(unit([1e-13, 0, 0])).toEqual(X); // no threshold by default
    expect(unit([1e-13, 0, 0], 1e-12)).toBeNull();
    expect(unit([1e-12, 0, 0], 1e-12)).toBeNull();
    expect(unit([2e-12, 0, 0], 1e-12)).toEqual(X);
    expect(unit([Number.NaN, 0, 0])).toBeNull();
    expect(unit([Number.POSITIVE_INFINITY, 0, 0])).toBeNull();
  });
});
