export const handler = async () => { throw new TypeError('the handler broke'); };
