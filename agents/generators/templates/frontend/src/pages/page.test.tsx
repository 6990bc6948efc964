import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
%%IMPORT_FAKE%%
import { %%PAGE%% } from "./%%PAGE%%";

const PATH = %%PATH%%;
const EXISTING: Row = %%EXISTING%%;
// Rows of the records this one points at, offered in the form's selects.
const PARENTS: Record<string, Row[]> = %%PARENTS%%;

describe(%%DESCRIBE%%, () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(%%LIST_TEST%%, async () => {
    fakeApi({ ...PARENTS, [PATH]: [EXISTING] });
    render(<%%PAGE%% />);
    expect(await screen.findByRole("button", { name: "Edit" })).toBeInTheDocument();
    expect(screen.getAllByRole("row")).toHaveLength(2);
  });

  it(%%CREATE_TEST%%, async () => {
    const api = fakeApi({ ...PARENTS });
    const user = userEvent.setup();
    render(<%%PAGE%% />);
    await user.click(screen.getByRole("button", { name: %%NEW_BUTTON%% }));
%%FILL%%
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.requests.some((r) => r.method === "POST")).toBe(true));
    expect(api.lastBody("POST")).toEqual(%%EXPECTED%%);
  });

  it(%%EDIT_TEST%%, async () => {
    const api = fakeApi({ ...PARENTS, [PATH]: [EXISTING] });
    const user = userEvent.setup();
    render(<%%PAGE%% />);
    await user.click(await screen.findByRole("button", { name: "Edit" }));
%%EDIT%%
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.requests.some((r) => r.method === "PUT")).toBe(true));
%%CHECK_EDIT%%
  });

  it(%%DELETE_TEST%%, async () => {
    const api = fakeApi({ ...PARENTS, [PATH]: [EXISTING] });
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(true);
    const user = userEvent.setup();
    render(<%%PAGE%% />);
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await waitFor(() => expect(api.requests.some((r) => r.method === "DELETE")).toBe(true));
    expect(api.requests.find((r) => r.method === "DELETE")?.path).toBe(`${PATH}/1`);
    expect(confirm).toHaveBeenCalled();
  });
});
