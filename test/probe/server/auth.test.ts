import { describe, expect, it } from "vitest";
import { authorized, bearerToken } from "../../../probe/server/auth.js";

const T = "s3cret-token-0123456789";

describe("bearerToken", () => {
  it.each([
    [`Bearer ${T}`, T],
    [`bearer ${T}`, T],
    [`BEARER\t${T}  `, T],
    [`Bearer  ${T}`, T],
    ["Bearer", null],
    ["Bearer ", null],
    [`Basic ${T}`, null],
    [T, null],
    [`Bearer ${T} extra`, null],
    [undefined, null],
  ])("%j → %j", (header, want) => {
    expect(bearerToken(header)).toBe(want);
  });

  it("ignores a repeated header (an array)", () => {
    expect(bearerToken([`Bearer ${T}`, `Bearer ${T}`])).toBeNull();
  });
});

describe("authorized", () => {
  it("accepts exactly the token", () => {
    expect(authorized(`Bearer ${T}`, T)).toBe(true);
    expect(authorized(`Bearer ${T}x`, T)).toBe(false);
    expect(authorized(`Bearer ${T.slice(0, -1)}`, T)).toBe(false);
    expect(authorized(`Bearer ${T.toUpperCase()}`, T)).toBe(false);
    expect(authorized(undefined, T)).toBe(false);
  });

  it("never accepts anything when the expected token is empty", () => {
    expect(authorized(undefined, "")).toBe(false);
    expect(authorized("Bearer ", "")).toBe(false);
  });
});
