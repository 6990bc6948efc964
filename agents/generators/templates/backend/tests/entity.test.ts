import request from "supertest";
%%IMPORT_FIXTURES%%
import { auth, startApi, type Api } from "./helpers";

const PATH = %%PATH%%;
// Fields that come back exactly as sent; dates come back as full timestamps.
const COMPARABLE: string[] = %%COMPARABLE%%;

describe(PATH, () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  /** Ids of freshly created records this one must point at. */
  async function parents(): Promise<Row> {
    return %%PARENTS%%;
  }

%%TESTS%%
});
