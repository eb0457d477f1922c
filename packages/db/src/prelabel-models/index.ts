export * from "./models";
export * from "./queue";
export * from "./training";
