# The graflow worker (cmd/worker with the examples' tasks). Build your own
# worker image the same way from a main package that imports your tasks.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/worker ./cmd/worker

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/worker /worker
COPY examples/prompts /prompts
ENV GRAFLOW_PROMPTS_DIR=/prompts
ENTRYPOINT ["/worker"]
