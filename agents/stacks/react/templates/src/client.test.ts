import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, resource, setToken } from "./client";

function answer(status: number, body: unknown) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("the API client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("sends the stored token as a bearer header", async () => {
    const fetch = answer(200, []);
    setToken("abc");
    await resource("/api/things").list();
    expect(fetch).toHaveBeenCalledWith(
      "/api/things",
      expect.objectContaining({
        headers: expect.objectContaining({ Authorization: "Bearer abc" }),
      }),
    );
  });

  it("sends input as JSON to the item's URL", async () => {
    const fetch = answer(200, { id: 7 });
    await resource<{ id: number }, { name: string }>("/api/things").update(7, { name: "x" });
    expect(fetch).toHaveBeenCalledWith(
      "/api/things/7",
      expect.objectContaining({ method: "PUT", body: JSON.stringify({ name: "x" }) }),
    );
  });

  it("turns an error answer into a readable message", async () => {
    answer(400, { error: "Invalid input", issues: [{ path: "name", message: "Required" }] });
    const failure = resource("/api/things").create({});
    await expect(failure).rejects.toThrow(ApiError);
    await expect(failure).rejects.toThrow("Invalid input — name: Required");
  });
});
