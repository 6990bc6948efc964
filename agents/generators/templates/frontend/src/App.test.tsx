import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { fakeApi } from "./test/fakeApi";

const SECTIONS: string[] = %%SECTIONS%%;

describe("App", () => {
  it("links to every section", () => {
    fakeApi({});
    render(<App />);
    for (const label of SECTIONS) {
      expect(screen.getByRole("link", { name: label })).toBeInTheDocument();
    }
  });

  it("opens the section named in the address", () => {
    fakeApi({});
    window.location.hash = %%TARGET_HASH%%;
    render(<App />);
    const current = screen.getByRole("link", { current: "page" });
    expect(current).toHaveTextContent(%%TARGET_LABEL%%);
    window.location.hash = "";
  });
});
