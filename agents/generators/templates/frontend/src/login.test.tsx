import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { fakeApi } from "./test/fakeApi";

describe("logging in", () => {
  it("logs in and keeps the token for later requests", async () => {
    const api = fakeApi({});
    const user = userEvent.setup();
    render(<App />);
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "a-long-password");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText(/Logged in as ada@example.com/)).toBeInTheDocument();
    expect(localStorage.getItem("token")).toBe("test-token");
    expect(api.requests.at(-1)?.path).toBe("/api/auth/login");
  });

  it("registers a new account", async () => {
    const api = fakeApi({});
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByRole("button", { name: "Create an account" }));
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "a-long-password");
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(await screen.findByText(/Logged in as ada@example.com/)).toBeInTheDocument();
    expect(api.requests.at(-1)?.path).toBe("/api/auth/register");
  });
});
