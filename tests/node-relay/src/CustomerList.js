// A searchable, ordered list paged both ways: usePaginationFragment's loadNext and loadPrevious.
import { graphql } from "react-relay";

export const customerListFragment = graphql`
  fragment CustomerList_query on Query
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
    orderBy: { type: "CustomerOrder", defaultValue: NAME_ASC }
    search: { type: "String" }
    filter: { type: "CustomerFilter" }
  )
  @refetchable(queryName: "CustomerListPaginationQuery") {
    customers(
      first: $first
      after: $after
      last: $last
      before: $before
      orderBy: $orderBy
      search: $search
      filter: $filter
    ) @connection(key: "CustomerList_customers", filters: ["orderBy", "search", "filter"]) {
      totalCount
      edges {
        node {
          id
          ...CustomerCard_customer
        }
      }
    }
  }
`;

export const customerListQuery = graphql`
  query CustomerListQuery($search: String, $orderBy: CustomerOrder) {
    ...CustomerList_query @arguments(first: 20, search: $search, orderBy: $orderBy)
  }
`;

export const renameMutation = graphql`
  mutation CustomerListRenameMutation($uuid: ID!, $name: String!) {
    updateCustomer(uuid: $uuid, input: { name: $name }) {
      __typename
      ... on CustomerPayload {
        customer {
          id
          ...CustomerCard_customer
        }
      }
      ... on ValidationError {
        fieldErrors {
          field
          code
        }
      }
    }
  }
`;
