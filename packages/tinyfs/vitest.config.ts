import { packageTestDefaults } from "../../tools/tsconfig/vitest";

export default packageTestDefaults;
