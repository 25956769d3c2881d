using System.Text.Json;
using GraphQL;
using GraphQLParser.Exceptions;
using GraphQL.Transport;
using GraphQL.Types;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dwcp.Server;

/// <summary>The GraphQL HTTP endpoint (<c>POST /graphql</c>, and <c>GET /graphql?query=…</c>).</summary>
public static class GraphQLEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDwcpGraphQL(this IEndpointRouteBuilder app)
    {
        app.MapPost("/graphql", HandlePost);
        app.MapGet("/graphql", HandleGet);
        return app;
    }

    private static async Task HandlePost(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer)
    {
        GraphQLRequest? request;
        try
        {
            request = await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, http.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or GraphQLSyntaxErrorException)
        {
            await WriteError(http, serializer, StatusCodes.Status400BadRequest,
                $"The request body is not a GraphQL request ({ex.Message}). Send JSON like {{\"query\": \"{{ dataRange {{ from to }} }}\", \"variables\": {{}}}}.");
            return;
        }

        await Execute(http, executer, serializer, request);
    }

    private static Task HandleGet(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer)
    {
        var request = new GraphQLRequest
        {
            Query = http.Request.Query["query"],
            OperationName = http.Request.Query["operationName"],
        };
        var variables = (string?)http.Request.Query["variables"];
        if (!string.IsNullOrEmpty(variables))
        {
            request.Variables = serializer.Deserialize<Inputs>(variables);
        }

        return Execute(http, executer, serializer, request);
    }

    private static async Task Execute(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer, GraphQLRequest? request)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Query))
        {
            await WriteError(http, serializer, StatusCodes.Status400BadRequest, "The request has no query. Send {\"query\": \"...\"}.");
            return;
        }

        var result = await executer.ExecuteAsync(new ExecutionOptions
        {
            Query = request.Query,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = http.RequestServices,
            CancellationToken = http.RequestAborted,
            ThrowOnUnhandledException = false,
        });

        // Parse and validation failures never executed: 400, as the GraphQL-over-HTTP draft asks for JSON responses.
        http.Response.StatusCode = result.Executed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        http.Response.ContentType = "application/json; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    private static async Task WriteError(HttpContext http, IGraphQLTextSerializer serializer, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        var result = new ExecutionResult { Errors = [new ExecutionError(message) { Code = "BAD_REQUEST" }] };
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }
}
