import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/bindings/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Text only: the window never builds HTML from strings.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Use textContent or the h() helper." },
        { property: "outerHTML", message: "Use textContent or the h() helper." },
      ],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // One door to the core: commands and events go through src/api.ts.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@tauri-apps/api", message: "Call the core through ./api (api.* and events.*)." },
            { name: "@tauri-apps/api/core", message: "Call the core through ./api (api.* and events.*)." },
            { name: "@tauri-apps/api/event", message: "Subscribe to the core's events through ./api (events.*)." },
          ],
        },
      ],
    },
  },
  { files: ["src/api.ts"], rules: { "no-restricted-imports": "off" } },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
