# The coordinator's image: one image, three commands (compose overrides CMD):
#   npm run migrate | npm run worker | npm run api
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first so that source edits reuse this layer. Dev dependencies
# stay: `npm run generate` needs the Prisma CLI and the commands run through tsx.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
RUN npm run generate \
 && mkdir -p data \
 && chown node:node data

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
